#include "daemon/api/messages_builder.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace helix::api {

namespace json = boost::json;

namespace {

std::string_view sv(helix_str s) { return {s.data, s.len}; }

} // namespace

MessagesBuilder::MessagesBuilder(std::string id, std::string model, bool stream)
    : id_(std::move(id)), model_(std::move(model)), stream_(stream) {}

void MessagesBuilder::started(std::vector<std::string> &out) {
    if (std::exchange(started_, true) || !stream_) return;
    json::object message{{"id", id_},           {"type", "message"},          {"role", "assistant"},
                         {"model", model_},     {"content", json::array{}},   {"stop_reason", nullptr},
                         {"stop_sequence", nullptr}, {"usage", usage_json(true)}};
    out.push_back(json::serialize(json::object{{"type", "message_start"}, {"message", std::move(message)}}));
}

std::size_t MessagesBuilder::open(Kind kind, json::object start, std::vector<std::string> &out) {
    close(out);
    blocks_.push_back(Block{kind, std::move(start), {}, {}});
    const std::size_t index = blocks_.size() - 1;
    if (stream_) {
        open_ = index;
        out.push_back(json::serialize(json::object{
            {"type", "content_block_start"}, {"index", index}, {"content_block", blocks_[index].start}}));
    }
    return index;
}

void MessagesBuilder::close(std::vector<std::string> &out) {
    if (!open_) return;
    const std::size_t index = *open_;
    open_.reset();
    Block &b = blocks_[index];
    if (b.kind == Kind::tool && b.text.empty()) { // a call with no arguments: its input is {}
        b.text = "{}";
        out.push_back(json::serialize(json::object{
            {"type", "content_block_delta"},
            {"index", index},
            {"delta", json::object{{"type", "input_json_delta"}, {"partial_json", "{}"}}}}));
    }
    out.push_back(json::serialize(json::object{{"type", "content_block_stop"}, {"index", index}}));
}

void MessagesBuilder::delta(std::size_t index, json::object d, std::vector<std::string> &out) {
    if (!stream_) return;
    out.push_back(json::serialize(json::object{{"type", "content_block_delta"}, {"index", index}, {"delta", std::move(d)}}));
}

void MessagesBuilder::add(const helix_event &e, std::vector<std::string> &out) {
    if (e.choice != 0) return; // Anthropic's shape has one answer
    switch (e.type) {
    case HELIX_EVENT_START:
        started(out);
        return;
    case HELIX_EVENT_TEXT_DELTA: {
        started(out);
        if (e.text.len == 0) return;
        std::size_t index;
        if (open_ && blocks_[*open_].kind == Kind::text) {
            index = *open_;
        } else if (!stream_ && !blocks_.empty() && blocks_.back().kind == Kind::text) {
            index = blocks_.size() - 1;
        } else {
            index = open(Kind::text, json::object{{"type", "text"}, {"text", ""}}, out);
        }
        blocks_[index].text += sv(e.text);
        delta(index, json::object{{"type", "text_delta"}, {"text", sv(e.text)}}, out);
        return;
    }
    case HELIX_EVENT_TOOL_CALL_DELTA: {
        started(out);
        auto it = tools_.find(e.tool_index);
        if (it == tools_.end()) {
            const std::size_t index = open(Kind::tool,
                                           json::object{{"type", "tool_use"},
                                                        {"id", sv(e.tool_call_id)},
                                                        {"name", sv(e.tool_name)},
                                                        {"input", json::object{}}},
                                           out);
            it = tools_.emplace(e.tool_index, index).first;
        }
        if (e.tool_arguments.len == 0) return;
        blocks_[it->second].text += sv(e.tool_arguments);
        delta(it->second, json::object{{"type", "input_json_delta"}, {"partial_json", sv(e.tool_arguments)}}, out);
        return;
    }
    case HELIX_EVENT_REASONING_DELTA: {
        started(out);
        const bool redacted = e.reasoning_redacted_data.len > 0;
        auto it = thoughts_.find(e.reasoning_index);
        if (it == thoughts_.end()) {
            json::object start = redacted ? json::object{{"type", "redacted_thinking"}, {"data", sv(e.reasoning_redacted_data)}}
                                          : json::object{{"type", "thinking"}, {"thinking", ""}, {"signature", ""}};
            it = thoughts_.emplace(e.reasoning_index, open(redacted ? Kind::redacted : Kind::thinking, std::move(start), out)).first;
            if (redacted) return;
        }
        Block &b = blocks_[it->second];
        if (b.kind != Kind::thinking) return;
        if (e.text.len > 0) {
            b.text += sv(e.text);
            delta(it->second, json::object{{"type", "thinking_delta"}, {"thinking", sv(e.text)}}, out);
        }
        if (e.reasoning_signature.len > 0) {
            b.signature += sv(e.reasoning_signature);
            delta(it->second, json::object{{"type", "signature_delta"}, {"signature", sv(e.reasoning_signature)}}, out);
        }
        return;
    }
    case HELIX_EVENT_FINISH:
        finish_ = e.finish_reason;
        return;
    case HELIX_EVENT_USAGE:
        prompt_ = e.prompt_tokens;
        completion_ = e.completion_tokens;
        cache_read_ = e.cached_tokens;
        cache_write_ = e.cache_write_tokens;
        return;
    default:
        return; // EXTRA members have no place in Anthropic's shape
    }
}

json::object MessagesBuilder::usage_json(bool with_input) const {
    json::object u;
    if (with_input) {
        u["input_tokens"] = std::max<std::int64_t>(prompt_ - cache_read_ - cache_write_, 0);
        u["cache_creation_input_tokens"] = cache_write_;
        u["cache_read_input_tokens"] = cache_read_;
    }
    u["output_tokens"] = completion_;
    return u;
}

std::string MessagesBuilder::stop_reason() const {
    switch (finish_) {
    case HELIX_FINISH_LENGTH: return "max_tokens";
    case HELIX_FINISH_TOOL_CALLS: return "tool_use";
    case HELIX_FINISH_CONTENT_FILTER: return "refusal";
    default: return "end_turn";
    }
}

std::string MessagesBuilder::finish(std::vector<std::string> &out) {
    if (stream_) {
        started(out);
        close(out);
        // input_tokens here too: a translated provider counts the prompt only at the end.
        out.push_back(json::serialize(json::object{
            {"type", "message_delta"},
            {"delta", json::object{{"stop_reason", stop_reason()}, {"stop_sequence", nullptr}}},
            {"usage", usage_json(true)}}));
        out.push_back(R"({"type":"message_stop"})");
        return {};
    }
    json::array content;
    for (const Block &b : blocks_) {
        json::object block = b.start;
        switch (b.kind) {
        case Kind::text: block["text"] = b.text; break;
        case Kind::thinking:
            block["thinking"] = b.text;
            block["signature"] = b.signature;
            break;
        case Kind::tool: {
            boost::system::error_code ec;
            json::value input = json::parse(b.text.empty() ? std::string_view("{}") : std::string_view(b.text), ec);
            block["input"] = ec || !input.is_object() ? json::value(json::object{}) : std::move(input);
            break;
        }
        case Kind::redacted: break;
        }
        content.push_back(std::move(block));
    }
    json::object message{{"id", id_},
                         {"type", "message"},
                         {"role", "assistant"},
                         {"model", model_},
                         {"content", std::move(content)},
                         {"stop_reason", stop_reason()},
                         {"stop_sequence", nullptr},
                         {"usage", usage_json(true)}};
    return json::serialize(message);
}

} // namespace helix::api
