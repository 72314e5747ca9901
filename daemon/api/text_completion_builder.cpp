#include "daemon/api/text_completion_builder.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace helix::api {

namespace json = boost::json;

TextCompletionBuilder::TextCompletionBuilder(std::string id, std::int64_t created, std::string model, bool stream,
                                             bool include_usage)
    : id_(std::move(id)), created_(created), model_(std::move(model)), stream_(stream),
      include_usage_(stream && include_usage) {}

std::string TextCompletionBuilder::chunk(std::string_view text, const char *finish_reason) const {
    json::object choice{{"text", text}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", nullptr}};
    if (finish_reason != nullptr) choice["finish_reason"] = finish_reason;
    return json::serialize(json::object{{"id", id_},
                                        {"object", "text_completion"},
                                        {"created", created_},
                                        {"model", model_},
                                        {"choices", json::array{std::move(choice)}}});
}

void TextCompletionBuilder::add(const helix_event &event, std::vector<std::string> &out) {
    if (finished_ || event.choice != 0) return;
    if (event.type == HELIX_EVENT_TEXT_DELTA) {
        std::string piece;
        detail::append_utf8(piece, detail::to_view(event.text), carry_);
        if (piece.empty()) return;
        if (stream_)
            out.push_back(chunk(piece, nullptr));
        else
            text_ += piece;
    } else if (event.type == HELIX_EVENT_FINISH) {
        finish_reason_ = event.finish_reason;
    } else if (event.type == HELIX_EVENT_USAGE) {
        usage_.record(event);
    }
}

void TextCompletionBuilder::finish(std::vector<std::string> &out) {
    if (finished_) return;
    finished_ = true;
    std::string rest;
    detail::flush_utf8(rest, carry_);
    if (!stream_) {
        text_ += rest;
        return;
    }
    out.push_back(chunk(rest, detail::finish_reason_name(finish_reason_, false).data()));
    if (include_usage_) {
        json::object last{{"id", id_},        {"object", "text_completion"}, {"created", created_},
                          {"model", model_},  {"choices", json::array{}}};
        last["usage"] = detail::usage_object(usage_);
        out.push_back(json::serialize(last));
    }
}

json::object TextCompletionBuilder::to_json() const {
    json::object choice{{"text", text_},
                        {"index", 0},
                        {"logprobs", nullptr},
                        {"finish_reason", detail::finish_reason_name(finish_reason_, false)}};
    return {{"id", id_},
            {"object", "text_completion"},
            {"created", created_},
            {"model", model_},
            {"choices", json::array{std::move(choice)}},
            {"usage", detail::usage_object(usage_)}};
}

std::string TextCompletionBuilder::build() const { return json::serialize(to_json()); }

} // namespace helix::api
