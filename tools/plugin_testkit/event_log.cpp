#include "tools/plugin_testkit/event_log.hpp"

#include <cstddef>
#include <sstream>

namespace helix::plugin_testkit {

namespace {

std::string str(helix_str s) { return s.data == nullptr || s.len == 0 ? std::string() : std::string(s.data, s.len); }

// The smallest event the oldest supported plugin may send: up to `json`.
constexpr std::size_t min_event_size = offsetof(helix_event, json) + sizeof(helix_str);

} // namespace

const char *finish_name(std::uint32_t reason) {
    switch (reason) {
    case HELIX_FINISH_NONE: return "none";
    case HELIX_FINISH_STOP: return "stop";
    case HELIX_FINISH_LENGTH: return "length";
    case HELIX_FINISH_TOOL_CALLS: return "tool_calls";
    case HELIX_FINISH_CONTENT_FILTER: return "content_filter";
    }
    return "?";
}

std::string describe(const helix_event &e) {
    std::ostringstream o;
    switch (e.type) {
    case HELIX_EVENT_START:
        o << "START id=" << str(e.response_id) << " model=" << str(e.model);
        break;
    case HELIX_EVENT_TEXT_DELTA:
        o << "TEXT c=" << e.choice << " " << str(e.text);
        break;
    case HELIX_EVENT_TOOL_CALL_DELTA:
        o << "TOOL c=" << e.choice << " i=" << e.tool_index << " id=" << str(e.tool_call_id)
          << " name=" << str(e.tool_name) << " args=" << str(e.tool_arguments);
        if (e.tool_signature.len > 0) o << " sig=" << str(e.tool_signature) << " fmt=" << str(e.reasoning_format);
        break;
    case HELIX_EVENT_REASONING_DELTA:
        o << "REASON c=" << e.choice << " i=" << e.reasoning_index << " text=" << str(e.text)
          << " sig=" << str(e.reasoning_signature) << " data=" << str(e.reasoning_redacted_data)
          << " fmt=" << str(e.reasoning_format);
        break;
    case HELIX_EVENT_FINISH:
        o << "FINISH c=" << e.choice << " " << finish_name(e.finish_reason);
        break;
    case HELIX_EVENT_USAGE:
        o << "USAGE " << e.prompt_tokens << "/" << e.completion_tokens << "/" << e.cached_tokens;
        break;
    case HELIX_EVENT_EXTRA:
        o << "EXTRA c=" << e.choice << " " << str(e.name) << "=" << str(e.json);
        break;
    case HELIX_EVENT_MESSAGES:
        o << "MESSAGES " << str(e.name) << " " << str(e.json);
        break;
    case HELIX_EVENT_EMBEDDING:
        o << "EMBEDDING i=" << e.embedding_index << " [";
        for (std::size_t k = 0; k < e.embedding_len; ++k) o << (k > 0 ? "," : "") << e.embedding[k];
        o << "]";
        break;
    default:
        o << "UNKNOWN type=" << static_cast<int>(e.type);
    }
    return o.str();
}

EventLog::EventLog() {
    sink_.struct_size = sizeof sink_;
    sink_.ctx = this;
    sink_.emit = [](void *ctx, const helix_event *event) { return static_cast<EventLog *>(ctx)->on_event(event); };
}

bool EventLog::well_formed(const helix_event &e) {
    if (e.struct_size < min_event_size) {
        problems_.push_back("event struct_size " + std::to_string(e.struct_size) + " is below the smallest ABI's " +
                            std::to_string(min_event_size));
        return false;
    }
    const std::size_t before = problems_.size();
    for (const auto &[s, field] : {std::pair{e.response_id, "response_id"}, std::pair{e.model, "model"},
                                   std::pair{e.text, "text"}, std::pair{e.tool_call_id, "tool_call_id"},
                                   std::pair{e.tool_name, "tool_name"}, std::pair{e.tool_arguments, "tool_arguments"},
                                   std::pair{e.name, "name"}, std::pair{e.json, "json"}}) {
        if (s.len > 0 && s.data == nullptr)
            problems_.push_back(std::string("event field ") + field + " has a length but no data");
        if (s.len > (std::size_t{1} << 30)) problems_.push_back(std::string("event field ") + field + " has an absurd length");
    }
    return problems_.size() == before;
}

int EventLog::on_event(const helix_event *event) {
    if (event == nullptr) {
        problems_.push_back("emitted a NULL event");
        return 0;
    }
    const helix_event &e = *event;
    if (!well_formed(e)) return 0;
    lines_.push_back(describe(e));
    switch (e.type) {
    case HELIX_EVENT_START:
        others_.push_back("start " + str(e.response_id) + " " + str(e.model));
        break;
    case HELIX_EVENT_TEXT_DELTA:
        texts_[e.choice] += str(e.text);
        all_text_ += str(e.text);
        break;
    case HELIX_EVENT_REASONING_DELTA:
        reasoning_[{e.choice, e.reasoning_index}] += str(e.text) + str(e.reasoning_signature) +
                                                      str(e.reasoning_redacted_data);
        all_text_ += str(e.text);
        break;
    case HELIX_EVENT_TOOL_CALL_DELTA: {
        std::string &call = tools_[{e.choice, e.tool_index}];
        if (e.tool_call_id.len > 0 || e.tool_name.len > 0) call += "[" + str(e.tool_call_id) + " " + str(e.tool_name) + "]";
        call += str(e.tool_arguments);
        all_text_ += str(e.tool_arguments);
        break;
    }
    case HELIX_EVENT_FINISH:
        if (e.finish_reason > HELIX_FINISH_CONTENT_FILTER)
            problems_.push_back("unknown finish_reason " + std::to_string(static_cast<int>(e.finish_reason)));
        ++finishes_;
        others_.push_back("finish " + std::to_string(e.choice) + " " + finish_name(e.finish_reason));
        break;
    case HELIX_EVENT_USAGE:
        if (e.prompt_tokens < 0 || e.completion_tokens < 0 || e.cached_tokens < 0)
            problems_.push_back("negative token counts in a USAGE event");
        others_.push_back(lines_.back());
        break;
    case HELIX_EVENT_EXTRA:
        if (e.name.len == 0) problems_.push_back("an EXTRA event without a name");
        others_.push_back(lines_.back());
        all_text_ += str(e.json);
        break;
    case HELIX_EVENT_MESSAGES:
    case HELIX_EVENT_EMBEDDING:
        others_.push_back(lines_.back());
        break;
    default:
        problems_.push_back("unknown event type " + std::to_string(static_cast<int>(e.type)));
    }
    return stop_after >= 0 && static_cast<int>(lines_.size()) >= stop_after ? 1 : 0;
}

std::string EventLog::summary() const {
    std::string text;
    for (const auto &[choice, t] : texts_) text += "text " + std::to_string(choice) + ": " + t + "\n";
    for (const auto &[key, r] : reasoning_)
        text += "reasoning " + std::to_string(key.first) + "/" + std::to_string(key.second) + ": " + r + "\n";
    for (const auto &[key, call] : tools_)
        text += "tool " + std::to_string(key.first) + "/" + std::to_string(key.second) + ": " + call + "\n";
    for (const auto &o : others_) text += o + "\n";
    return text;
}

std::string join(const std::vector<std::string> &lines) {
    std::string out;
    for (const auto &l : lines) out += l + "\n";
    return out;
}

} // namespace helix::plugin_testkit
