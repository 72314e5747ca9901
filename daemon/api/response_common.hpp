#pragma once
// Rules shared by CompletionBuilder (one chat.completion) and ChunkBuilder
// (chat.completion.chunk stream), so that the same event sequence gives the
// same answer either way: finish_reason names, tool-call ids, where EXTRA
// members go, usage, and how text that is not valid UTF-8 is repaired.

#include "helixagent/plugin_abi.h"
#include "helixagent/saturating.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helix::api {

// Token counts of one response. `reported` is false until a USAGE event came;
// the counts are then zero (and are still written, so that clients reading
// usage.total_tokens never meet a missing object).
struct Usage {
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    std::int64_t cached_tokens = 0;
    std::int64_t cache_write_tokens = 0;
    std::int64_t reasoning_tokens = 0;
    bool reported = false;

    // A USAGE event's counts (negative ones read as 0); the last one a
    // response reports wins.
    void record(const helix_event &event) noexcept {
        prompt_tokens = sdk::non_negative(event.prompt_tokens);
        completion_tokens = sdk::non_negative(event.completion_tokens);
        cached_tokens = sdk::non_negative(event.cached_tokens);
        cache_write_tokens = sdk::non_negative(event.cache_write_tokens);
        reasoning_tokens = sdk::non_negative(event.reasoning_tokens);
        reported = true;
    }
    // prompt + completion, saturating at INT64_MAX.
    std::int64_t total_tokens() const noexcept { return sdk::saturating_add(prompt_tokens, completion_tokens); }
};

// Events naming a choice at or above this index are ignored (OpenAI's n is at
// most 128), so a faulty plugin cannot make the builders allocate without end.
inline constexpr std::uint32_t kMaxChoices = 128;

namespace detail {

std::string_view to_view(helix_str s) noexcept; // NULL data -> empty

// OpenAI's finish_reason. STOP and NONE (never finished) become "tool_calls"
// when the choice made tool calls, else "stop"; unknown values count as NONE.
std::string_view finish_reason_name(std::uint32_t reason, bool has_tool_calls) noexcept;

// The id of a tool call whose first delta came without one (Gemini, for
// example, has no call ids): "call_" + 16 hex digits of a hash of the
// response id + "_" + choice + "_" + tool_index. Deterministic, so both
// builders report the same id; unique per response because the response id is.
std::string synthesize_tool_call_id(std::string_view response_id, std::uint32_t choice, std::uint32_t tool_index);

// Where an EXTRA event's member goes.
enum class ExtraPlace { response, choice, ignored };
struct ExtraTarget {
    ExtraPlace place = ExtraPlace::ignored;
    std::string_view member; // the member name to write
};
// The rule (documented in completion_builder.hpp):
//  - "prompt_filter_results", "prompt_annotations", "system_fingerprint",
//    "service_tier", and any name "response.<member>" -> response level;
//  - any other name -> a member of choice event.choice;
//  - an empty name, or one that would overwrite a member the builders own
//    (id, object, created, model, choices, usage; index, message, delta,
//    logprobs, finish_reason) -> ignored.
ExtraTarget place_extra(std::string_view name) noexcept;

// False if `value` holds a number that is not finite anywhere inside it
// (Boost.JSON reads 1e400 as infinity and would write it back as invalid JSON).
bool all_finite(const boost::json::value &value) noexcept;

// The EXTRA event's JSON value, or nullopt when it does not parse or holds a
// non-finite number (the event is then ignored rather than corrupting the
// response).
std::optional<boost::json::value> parse_extra(std::string_view json);

// An EXTRA event read by the rules above: where its member goes and its
// value; nullopt when the event is to be ignored (a place_extra() refusal, a
// value parse_extra() refuses, or a system_fingerprint that is not a string).
// `member` points into the event's name.
struct Extra {
    ExtraPlace place = ExtraPlace::ignored;
    std::string_view member;
    boost::json::value value;
};
std::optional<Extra> read_extra(const helix_event &event);

// {"prompt_tokens","completion_tokens","total_tokens","prompt_tokens_details":{"cached_tokens"}}
boost::json::object usage_object(const Usage &usage, boost::json::storage_ptr storage = {});

// UTF-8 repair. Text from a plugin is copied into JSON strings; bytes that are
// not UTF-8 would make the whole body unparsable for the client. Streamed text
// may split a character across two deltas, so an incomplete sequence at the
// end of `in` is held in `carry` and completed by the next call; invalid bytes
// become U+FFFD. flush_utf8() ends the text: a held incomplete sequence
// becomes one U+FFFD.
void append_utf8(std::string &out, std::string_view in, std::string &carry);
void flush_utf8(std::string &out, std::string &carry);
std::string sanitize_utf8(std::string_view in); // append_utf8 + flush_utf8

} // namespace detail
} // namespace helix::api
