#pragma once
// Canonical events for the builder tests, written the way a plugin emits them.
// The strings are views: pass literals or strings that outlive the event.

#include "helixagent/plugin_abi.h"

#include <cstdint>
#include <string_view>

namespace helix::api::test {

inline helix_str hs(std::string_view s) { return helix_str{s.data(), s.size()}; }

inline helix_event event(helix_event_type type, std::uint32_t choice = 0) {
    helix_event e{};
    e.struct_size = sizeof(helix_event);
    e.type = type;
    e.choice = choice;
    return e;
}

inline helix_event start(std::string_view id, std::string_view model = "upstream-model") {
    helix_event e = event(HELIX_EVENT_START);
    e.response_id = hs(id);
    e.model = hs(model);
    return e;
}

inline helix_event text(std::string_view t, std::uint32_t choice = 0) {
    helix_event e = event(HELIX_EVENT_TEXT_DELTA, choice);
    e.text = hs(t);
    return e;
}

inline helix_event tool(std::uint32_t tool_index, std::string_view id, std::string_view name,
                        std::string_view arguments, std::uint32_t choice = 0) {
    helix_event e = event(HELIX_EVENT_TOOL_CALL_DELTA, choice);
    e.tool_index = tool_index;
    e.tool_call_id = hs(id);
    e.tool_name = hs(name);
    e.tool_arguments = hs(arguments);
    return e;
}

inline helix_event args(std::uint32_t tool_index, std::string_view arguments, std::uint32_t choice = 0) {
    return tool(tool_index, {}, {}, arguments, choice);
}

inline helix_event finish(helix_finish_reason reason, std::uint32_t choice = 0) {
    helix_event e = event(HELIX_EVENT_FINISH, choice);
    e.finish_reason = reason;
    return e;
}

inline helix_event usage(std::int64_t prompt, std::int64_t completion, std::int64_t cached = 0) {
    helix_event e = event(HELIX_EVENT_USAGE);
    e.prompt_tokens = prompt;
    e.completion_tokens = completion;
    e.cached_tokens = cached;
    return e;
}

inline helix_event extra(std::string_view name, std::string_view json, std::uint32_t choice = 0) {
    helix_event e = event(HELIX_EVENT_EXTRA, choice);
    e.name = hs(name);
    e.json = hs(json);
    return e;
}

} // namespace helix::api::test
