#include "daemon/api/responses_builder.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace helix::api {

namespace json = boost::json;
using detail::to_view;

ResponsesBuilder::ResponsesBuilder(std::string suffix, std::int64_t created_at, std::string model, json::object echoed,
                                   bool stream)
    : id_("resp_" + suffix), suffix_(std::move(suffix)), created_at_(created_at), model_(std::move(model)),
      echoed_(std::move(echoed)), stream_(stream) {}

void ResponsesBuilder::emit(json::object event, std::vector<std::string> &out) {
    if (!stream_) return;
    event["sequence_number"] = sequence_++;
    out.push_back(json::serialize(event));
}

void ResponsesBuilder::start(std::vector<std::string> &out) {
    if (started_) return;
    started_ = true;
    emit({{"type", "response.created"}, {"response", response_json("in_progress")}}, out);
    emit({{"type", "response.in_progress"}, {"response", response_json("in_progress")}}, out);
}

ResponsesBuilder::Item &ResponsesBuilder::open_item(bool message, std::vector<std::string> &out) {
    if (current_ >= 0) close_item(static_cast<std::size_t>(current_), out);
    Item item;
    item.message = message;
    item.id = message ? "msg_" + suffix_ : "fc_" + suffix_ + "_" + std::to_string(items_.size());
    items_.push_back(std::move(item));
    current_ = static_cast<std::ptrdiff_t>(items_.size() - 1);
    return items_.back();
}

// The response's one reasoning item: opened by its first reasoning (its
// summary text streams as it comes), closed with the others at the end, when
// its encrypted_content is complete.
ResponsesBuilder::Item &ResponsesBuilder::reasoning_item(std::vector<std::string> &out) {
    if (reasoning_ < 0) {
        Item item;
        item.reasoning = true;
        item.id = "rs_" + suffix_;
        items_.push_back(std::move(item));
        reasoning_ = static_cast<std::ptrdiff_t>(items_.size() - 1);
        emit({{"type", "response.output_item.added"}, {"output_index", reasoning_}, {"item", item_json(items_.back())}}, out);
        emit({{"type", "response.reasoning_summary_part.added"}, {"item_id", items_.back().id}, {"output_index", reasoning_},
              {"summary_index", 0}, {"part", json::object{{"type", "summary_text"}, {"text", ""}}}},
             out);
    }
    return items_[static_cast<std::size_t>(reasoning_)];
}

void ResponsesBuilder::add_reasoning(const ReasoningSlots::Slot &slot, json::object piece, std::vector<std::string> &out) {
    Item &item = reasoning_item(out);
    if (const json::value *text = piece.if_contains("text")) {
        const std::string delta(text->get_string());
        item.text += delta;
        emit({{"type", "response.reasoning_summary_text.delta"}, {"item_id", item.id}, {"output_index", reasoning_},
              {"summary_index", 0}, {"delta", delta}},
             out);
    }
    if (slot.first) {
        reasoning_details_.push_back(std::move(piece));
    } else {
        merge_entry(reasoning_details_[slot.index].as_object(), piece);
    }
}

void ResponsesBuilder::close_item(std::size_t index, std::vector<std::string> &out) {
    Item &item = items_[index];
    if (item.done) return;
    detail::flush_utf8(item.text, item.carry);
    item.done = true;
    if (static_cast<std::ptrdiff_t>(index) == current_) current_ = -1;
    const auto output_index = static_cast<std::int64_t>(index);
    if (item.reasoning) {
        emit({{"type", "response.reasoning_summary_text.done"}, {"item_id", item.id}, {"output_index", output_index},
              {"summary_index", 0}, {"text", item.text}},
             out);
        emit({{"type", "response.reasoning_summary_part.done"}, {"item_id", item.id}, {"output_index", output_index},
              {"summary_index", 0}, {"part", json::object{{"type", "summary_text"}, {"text", item.text}}}},
             out);
    } else if (item.message) {
        emit({{"type", "response.output_text.done"}, {"item_id", item.id}, {"output_index", output_index},
              {"content_index", 0}, {"text", item.text}, {"logprobs", json::array{}}},
             out);
        emit({{"type", "response.content_part.done"}, {"item_id", item.id}, {"output_index", output_index},
              {"content_index", 0}, {"part", item_json(item)["content"].as_array()[0]}},
             out);
    } else {
        emit({{"type", "response.function_call_arguments.done"}, {"item_id", item.id}, {"output_index", output_index},
              {"name", item.name}, {"arguments", item.text}},
             out);
    }
    emit({{"type", "response.output_item.done"}, {"output_index", output_index}, {"item", item_json(item)}}, out);
}

void ResponsesBuilder::add(const helix_event &event, std::vector<std::string> &out) {
    if (finished_ || event.choice != 0) return;
    switch (event.type) {
    case HELIX_EVENT_TEXT_DELTA: {
        const std::string_view text = to_view(event.text);
        if (text.empty()) return;
        start(out);
        if (message_ < 0) {
            Item &item = open_item(true, out);
            message_ = current_;
            json::object shown = item_json(item);
            shown["content"] = json::array{};
            emit({{"type", "response.output_item.added"}, {"output_index", message_}, {"item", std::move(shown)}}, out);
            emit({{"type", "response.content_part.added"}, {"item_id", item.id}, {"output_index", message_},
                  {"content_index", 0},
                  {"part", json::object{{"type", "output_text"}, {"annotations", json::array{}}, {"text", ""}}}},
                 out);
        }
        Item &item = items_[static_cast<std::size_t>(message_)];
        std::string piece;
        detail::append_utf8(piece, text, item.carry);
        item.text += piece;
        if (!piece.empty())
            emit({{"type", "response.output_text.delta"}, {"item_id", item.id}, {"output_index", message_},
                  {"content_index", 0}, {"delta", piece}, {"logprobs", json::array{}}},
                 out);
        return;
    }
    case HELIX_EVENT_REASONING_DELTA: {
        start(out);
        const ReasoningSlots::Slot slot = reasoning_slots_.block(event.reasoning_index);
        add_reasoning(slot, reasoning_entry(event, slot.index), out);
        return;
    }
    case HELIX_EVENT_TOOL_CALL_DELTA: {
        start(out);
        if (event.tool_signature.len > 0) {
            const auto call = tool_items_.find(event.tool_index);
            if (call == tool_items_.end()) return; // a signature names a call that started
            const ReasoningSlots::Slot slot = reasoning_slots_.tool(event.tool_index);
            add_reasoning(slot, tool_signature_entry(event, slot.index, items_[call->second].call_id), out);
            return;
        }
        auto found = tool_items_.find(event.tool_index);
        if (found == tool_items_.end()) {
            Item &item = open_item(false, out);
            const std::string_view id = to_view(event.tool_call_id);
            item.call_id = id.empty() ? detail::synthesize_tool_call_id(id_, 0, event.tool_index) : std::string(id);
            item.name = detail::sanitize_utf8(to_view(event.tool_name));
            found = tool_items_.emplace(event.tool_index, static_cast<std::size_t>(current_)).first;
            emit({{"type", "response.output_item.added"}, {"output_index", current_}, {"item", item_json(item)}}, out);
        }
        Item &item = items_[found->second];
        if (item.name.empty()) item.name = detail::sanitize_utf8(to_view(event.tool_name));
        std::string piece;
        detail::append_utf8(piece, to_view(event.tool_arguments), item.carry);
        item.text += piece;
        if (!piece.empty())
            emit({{"type", "response.function_call_arguments.delta"}, {"item_id", item.id},
                  {"output_index", static_cast<std::int64_t>(found->second)}, {"delta", piece}},
                 out);
        return;
    }
    case HELIX_EVENT_FINISH:
        finish_reason_ = event.finish_reason;
        return;
    case HELIX_EVENT_USAGE:
        usage_.record(event);
        return;
    default:
        return;
    }
}

void ResponsesBuilder::finish(std::vector<std::string> &out) {
    if (finished_) return;
    start(out);
    for (std::size_t i = 0; i < items_.size(); ++i) close_item(i, out);
    finished_ = true;
    const std::string_view status = final_status();
    emit({{"type", status == "completed" ? "response.completed" : "response.incomplete"},
          {"response", response_json(status)}},
         out);
}

void ResponsesBuilder::failed(const ApiError &error, std::vector<std::string> &out) {
    if (finished_) return;
    finished_ = true;
    failure_code_ = error.status == 429 ? "rate_limit_exceeded" : "server_error";
    failure_message_ = error.message;
    emit({{"type", "response.failed"}, {"response", response_json("failed")}}, out);
}

std::string_view ResponsesBuilder::final_status() const noexcept {
    return finish_reason_ == HELIX_FINISH_LENGTH || finish_reason_ == HELIX_FINISH_CONTENT_FILTER ? "incomplete"
                                                                                                 : "completed";
}

json::object ResponsesBuilder::item_json(const Item &item) const {
    const char *status = item.done ? "completed" : "in_progress";
    if (item.reasoning) {
        json::array summary;
        if (!item.text.empty()) summary.push_back(json::object{{"type", "summary_text"}, {"text", item.text}});
        json::object shown{{"id", item.id}, {"type", "reasoning"}, {"status", status}, {"summary", std::move(summary)}};
        shown["encrypted_content"] = item.done ? json::value(encode_reasoning(reasoning_details_)) : json::value(nullptr);
        return shown;
    }
    if (item.message)
        return {{"id", item.id},
                {"type", "message"},
                {"status", status},
                {"role", "assistant"},
                {"content", json::array{json::object{{"type", "output_text"},
                                                     {"annotations", json::array{}},
                                                     {"logprobs", json::array{}},
                                                     {"text", item.text}}}}};
    return {{"id", item.id},      {"type", "function_call"}, {"status", status},
            {"arguments", item.text}, {"call_id", item.call_id},  {"name", item.name}};
}

json::object ResponsesBuilder::response_json(std::string_view status) const {
    json::object r{{"id", id_},
                   {"object", "response"},
                   {"created_at", created_at_},
                   {"status", status},
                   {"background", false},
                   {"error", nullptr},
                   {"incomplete_details", nullptr}};
    if (status == "incomplete")
        r["incomplete_details"] = json::object{
            {"reason", finish_reason_ == HELIX_FINISH_LENGTH ? "max_output_tokens" : "content_filter"}};
    if (status == "failed")
        r["error"] = json::object{{"code", failure_code_}, {"message", failure_message_}};
    for (const auto &kv : echoed_) r[kv.key()] = kv.value();
    r["model"] = model_;
    json::array output;
    if (status != "in_progress")
        for (const Item &item : items_) output.push_back(item_json(item));
    r["output"] = std::move(output);
    r["previous_response_id"] = nullptr;
    r["truncation"] = "disabled";
    if (status == "in_progress") {
        r["usage"] = nullptr;
    } else {
        r["usage"] = json::object{
            {"input_tokens", usage_.prompt_tokens},
            {"input_tokens_details", json::object{{"cached_tokens", usage_.cached_tokens}}},
            {"output_tokens", usage_.completion_tokens},
            {"output_tokens_details", json::object{{"reasoning_tokens", usage_.reasoning_tokens}}},
            {"total_tokens", usage_.total_tokens()}};
    }
    return r;
}

json::object ResponsesBuilder::to_json() const { return response_json(finished_ ? final_status() : "in_progress"); }

std::string ResponsesBuilder::build() const { return json::serialize(to_json()); }

} // namespace helix::api
