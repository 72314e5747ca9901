#pragma once
// Builds the non-streamed reply (object "chat.completion") from the canonical
// events of one upstream call.
//
//   id       the upstream response id from START when it gave one, else the
//            `fallback_id` the caller generated ("chatcmpl-...")
//   created  and model: as passed in (model = the name the client asked for)
//   choices  one per choice index seen, ordered by index; choice 0 is always
//            there. message.role "assistant"; message.content is the text
//            deltas concatenated, or null when the choice made tool calls
//            and sent no TEXT_DELTA at all; message.refusal null;
//            message.tool_calls ordered by tool_index, arguments concatenated;
//            logprobs null; finish_reason per detail::finish_reason_name
//            ("tool_calls" when the choice made tool calls and stopped
//            normally or never said why).
//   usage    always present (zeros if no USAGE event came; the last USAGE wins),
//            total_tokens = prompt + completion, prompt_tokens_details.cached_tokens.
//
// Tool calls: the first delta of a call fixes its id (the upstream's, or
// detail::synthesize_tool_call_id() when it came without one); a name given
// on a later delta fills an empty name; later ids are ignored. ChunkBuilder
// applies the same rules, so streamed and non-streamed replies agree.
//
// EXTRA events (provider-specific members, e.g. Azure's content filter
// results; json = the member's JSON value, ignored if it does not parse):
//   - name "prompt_filter_results", "prompt_annotations", "system_fingerprint",
//     "service_tier", or "response.<member>"  -> a member of the response object
//   - any other name (e.g. "content_filter_results") -> a member of the choice
//     event.choice
//   - names the builder owns (id, object, created, model, choices, usage;
//     index, message, delta, logprobs, finish_reason) are ignored.
//   The last EXTRA with a given name wins.
//
// Events whose choice is >= kMaxChoices are ignored. Text that is not UTF-8
// is repaired (U+FFFD). add() never fails on any event content.

#include "daemon/api/reasoning_details.hpp"
#include "daemon/api/response_common.hpp"
#include "helixagent/plugin_abi.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <vector>
#include <string>
#include <string_view>

namespace helix::api {

class CompletionBuilder {
public:
    CompletionBuilder(std::string fallback_id, std::int64_t created, std::string model);

    void add(const helix_event &event);

    // The response as a JSON object (its memory from `storage`) / as JSON text.
    boost::json::object to_json(boost::json::storage_ptr storage = {}) const;
    std::string build() const;

    const std::string &id() const noexcept { return id_; }
    // The model the upstream said it served (START), e.g. "gpt-4o-2024-08-06"; may be empty.
    const std::string &served_model() const noexcept { return served_model_; }
    const Usage &usage() const noexcept { return usage_; }

private:
    struct ToolCall {
        std::string id;
        std::string name;
        std::string arguments;
        std::string carry; // incomplete UTF-8 at the end of arguments
    };
    struct Choice {
        bool has_text = false;
        std::string text;
        std::string carry;
        std::map<std::uint32_t, ToolCall> tool_calls;
        bool finished = false;
        std::uint32_t finish_reason = HELIX_FINISH_NONE; // HELIX_FINISH_*
        boost::json::object extras;
        std::string reasoning_text;            // reasoning_content
        ReasoningSlots reasoning_slots;
        std::vector<boost::json::object> reasoning_details;
    };

    Choice &choice(std::uint32_t index);

    std::string id_;
    std::int64_t created_;
    std::string model_;
    std::string served_model_;
    std::map<std::uint32_t, Choice> choices_;
    boost::json::object extras_;
    Usage usage_;
};

} // namespace helix::api
