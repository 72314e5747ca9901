#include "tools/plugin_check/event_recorder.hpp"

#include <cstddef>

namespace helix::plugin_check {

namespace {

std::string str(helix_str s) { return s.data == nullptr || s.len == 0 ? std::string() : std::string(s.data, s.len); }

// The smallest event an ABI 1.0 plugin may send.
constexpr std::size_t min_event_size = offsetof(helix_event, json) + sizeof(helix_str);

} // namespace

EventRecorder::EventRecorder() {
    sink_.struct_size = sizeof sink_;
    sink_.ctx = this;
    sink_.emit = [](void *ctx, const helix_event *event) -> int {
        auto *self = static_cast<EventRecorder *>(ctx);
        if (event == nullptr) {
            self->problems_.push_back("emitted a NULL event");
            return 0;
        }
        self->on_event(*event);
        return 0;
    };
}

void EventRecorder::check_str(helix_str s, const char *field) {
    if (s.len > 0 && s.data == nullptr) problems_.push_back(std::string("event field ") + field + " has a length but no data");
    if (s.len > (std::size_t{1} << 30)) problems_.push_back(std::string("event field ") + field + " has an absurd length");
}

void EventRecorder::on_event(const helix_event &e) {
    if (e.struct_size < min_event_size) {
        problems_.push_back("event struct_size " + std::to_string(e.struct_size) + " is below ABI 1.0's " +
                            std::to_string(min_event_size));
        return;
    }
    for (const auto &[s, field] : {std::pair{e.response_id, "response_id"}, std::pair{e.model, "model"},
                                   std::pair{e.text, "text"}, std::pair{e.tool_call_id, "tool_call_id"},
                                   std::pair{e.tool_name, "tool_name"}, std::pair{e.tool_arguments, "tool_arguments"},
                                   std::pair{e.name, "name"}, std::pair{e.json, "json"}})
        check_str(s, field);
    if (!problems_.empty()) return;
    switch (e.type) {
    case HELIX_EVENT_START:
        others_.push_back("start " + str(e.response_id) + " " + str(e.model));
        break;
    case HELIX_EVENT_TEXT_DELTA:
        texts_[e.choice] += str(e.text);
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
        if (static_cast<int>(e.finish_reason) < HELIX_FINISH_NONE || e.finish_reason > HELIX_FINISH_CONTENT_FILTER)
            problems_.push_back("unknown finish_reason " + std::to_string(static_cast<int>(e.finish_reason)));
        ++finishes_;
        others_.push_back("finish " + std::to_string(e.choice) + " " + std::to_string(static_cast<int>(e.finish_reason)));
        break;
    case HELIX_EVENT_USAGE:
        if (e.prompt_tokens < 0 || e.completion_tokens < 0 || e.cached_tokens < 0)
            problems_.push_back("negative token counts in a USAGE event");
        others_.push_back("usage " + std::to_string(e.prompt_tokens) + " " + std::to_string(e.completion_tokens) + " " +
                          std::to_string(e.cached_tokens));
        break;
    case HELIX_EVENT_EXTRA:
        if (e.name.len == 0) problems_.push_back("an EXTRA event without a name");
        others_.push_back("extra " + str(e.name) + "=" + str(e.json));
        all_text_ += str(e.json);
        break;
    default:
        problems_.push_back("unknown event type " + std::to_string(static_cast<int>(e.type)));
    }
}

std::string EventRecorder::summary() const {
    std::string text;
    for (const auto &[choice, t] : texts_) text += "text " + std::to_string(choice) + ": " + t + "\n";
    for (const auto &[key, call] : tools_)
        text += "tool " + std::to_string(key.first) + "/" + std::to_string(key.second) + ": " + call + "\n";
    for (const auto &o : others_) text += o + "\n";
    return text;
}

} // namespace helix::plugin_check
