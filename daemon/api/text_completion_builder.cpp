#include "daemon/api/text_completion_builder.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace helix::api {

namespace json = boost::json;

TextCompletionBuilder::TextCompletionBuilder(std::string id, std::int64_t created, std::string model, bool stream,
                                             bool include_usage, std::size_t choices)
    : id_(std::move(id)), created_(created), model_(std::move(model)), stream_(stream),
      include_usage_(stream && include_usage), choice_limit_(choices == 0 ? 1 : choices) {}

json::object TextCompletionBuilder::head() const {
    json::object o{{"id", id_}, {"object", "text_completion"}, {"created", created_}, {"model", model_}};
    for (const auto &member : extras_) o[member.key()] = member.value();
    return o;
}

std::string TextCompletionBuilder::chunk(std::uint32_t index, Choice &c, std::string_view text,
                                         const char *finish_reason) {
    json::object choice{{"text", text}, {"index", index}, {"logprobs", std::move(c.logprobs)}, {"finish_reason", nullptr}};
    c.logprobs = nullptr;
    if (finish_reason != nullptr) choice["finish_reason"] = finish_reason;
    for (auto &member : c.extras) choice[member.key()] = std::move(member.value());
    c.extras.clear();
    json::object o = head();
    o["choices"] = json::array{std::move(choice)};
    return json::serialize(o);
}

void TextCompletionBuilder::add_extra(const helix_event &event, Choice &c, std::vector<std::string> &out) {
    if (detail::to_view(event.name) == "logprobs") { // a member the chat builders own, here the upstream's
        std::optional<json::value> value = detail::parse_extra(detail::to_view(event.json));
        if (!value) return;
        // Streamed: logprobs that no text took yet go out first.
        if (stream_ && !c.logprobs.is_null()) out.push_back(chunk(event.choice, c, "", nullptr));
        c.logprobs = std::move(*value);
        return;
    }
    std::optional<detail::Extra> extra = detail::read_extra(event);
    if (!extra) return;
    if (extra->place == detail::ExtraPlace::choice) {
        if (extra->member == "text") return; // the builder's own
        c.extras[extra->member] = std::move(extra->value);
        return;
    }
    if (!stream_ || extra->member == "system_fingerprint" || extra->member == "service_tier") {
        extras_[extra->member] = std::move(extra->value);
        return;
    }
    json::object o = head(); // e.g. Azure's prompt_filter_results: a chunk without choices, as Azure streams them
    o[extra->member] = std::move(extra->value);
    o["choices"] = json::array{};
    out.push_back(json::serialize(o));
}

void TextCompletionBuilder::add(const helix_event &event, std::vector<std::string> &out) {
    if (finished_) return;
    if (event.type == HELIX_EVENT_USAGE) {
        usage_.record(event);
        return;
    }
    const bool per_choice = event.type == HELIX_EVENT_TEXT_DELTA || event.type == HELIX_EVENT_FINISH ||
                            event.type == HELIX_EVENT_EXTRA;
    if (!per_choice || event.choice >= choice_limit_) return;
    Choice &c = choices_[event.choice];
    if (event.type == HELIX_EVENT_TEXT_DELTA) {
        std::string piece;
        detail::append_utf8(piece, detail::to_view(event.text), c.carry);
        if (piece.empty()) return;
        if (stream_)
            out.push_back(chunk(event.choice, c, piece, nullptr));
        else
            c.text += piece;
    } else if (event.type == HELIX_EVENT_FINISH) {
        c.finish_reason = event.finish_reason;
    } else if (event.type == HELIX_EVENT_EXTRA) {
        add_extra(event, c, out);
    }
}

void TextCompletionBuilder::finish(std::vector<std::string> &out) {
    if (finished_) return;
    finished_ = true;
    if (choices_.empty()) choices_.try_emplace(0); // a reply without any: one empty choice, as before
    for (auto &[index, c] : choices_) {
        std::string rest;
        detail::flush_utf8(rest, c.carry);
        if (!stream_) {
            c.text += rest;
            continue;
        }
        out.push_back(chunk(index, c, rest, detail::finish_reason_name(c.finish_reason, false).data()));
    }
    if (include_usage_) {
        json::object last = head();
        last["choices"] = json::array{};
        last["usage"] = detail::usage_object(usage_);
        out.push_back(json::serialize(last));
    }
}

json::object TextCompletionBuilder::to_json() const {
    json::array choices;
    const Choice none;
    const auto add = [&](std::uint32_t index, const Choice &c) {
        json::object choice{{"text", c.text},
                            {"index", index},
                            {"logprobs", c.logprobs},
                            {"finish_reason", detail::finish_reason_name(c.finish_reason, false)}};
        for (const auto &member : c.extras) choice[member.key()] = member.value();
        choices.push_back(std::move(choice));
    };
    if (choices_.empty()) add(0, none);
    for (const auto &[index, c] : choices_) add(index, c);
    json::object o = head();
    o["choices"] = std::move(choices);
    o["usage"] = detail::usage_object(usage_);
    return o;
}

std::string TextCompletionBuilder::build() const { return json::serialize(to_json()); }

} // namespace helix::api
