#pragma once
// Deterministic replies derived from the prompt, and the simulator's token
// counting rule.
//
// Token rule (used for every "usage" figure, prompt and completion, streamed
// or not): a token is a maximal run of non-whitespace characters, i.e. what
// `wc -w` counts. Prompt tokens are the tokens of every text the request's
// messages carry (system/developer text, user and assistant text, tool-call
// arguments and tool names, tool results); tool definitions and images count 0.
// Completion tokens are the tokens of the reply text, or for a tool call the
// tokens of the tool name plus the tokens of its arguments' JSON text.
//
// The same prompt always gives the same reply, so a streamed reply can be
// compared with the non-streamed one.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim {

std::uint64_t count_tokens(std::string_view text);

// Splits text into stream pieces, one per token: each piece is a token with
// the whitespace before it; whitespace after the last token joins the last
// piece. Concatenating the pieces gives `text` back exactly.
std::vector<std::string> split_pieces(std::string_view text);

// Splits text into fragments of at most `max_bytes` bytes (at least 1), never
// inside a UTF-8 sequence. Concatenating them gives `text` back.
std::vector<std::string> split_fragments(std::string_view text, std::size_t max_bytes);

// The tool a message asks for with the directive `call tool <name>` (the
// phrase is case-insensitive; the name is [A-Za-z0-9_.-]+).
std::optional<std::string> find_tool_directive(std::string_view text);

// Deterministic arguments (compact JSON text) for a function whose
// parameters are the JSON schema `schema`: schema_sample() of it
// (schema_sample.hpp: one member per property, in schema order, enum -> its
// first value, string -> "sim-<property>", integer -> 42, number -> 3.5,
// boolean -> true, array -> minItems items, object -> its properties,
// anything else -> null); {} when that is not an object.
std::string tool_arguments_for(const boost::json::value &schema);

struct ToolSpec {
    std::string name;
    boost::json::value parameters; // JSON schema of the arguments (may be null)
};

enum class ToolChoice { automatic, none, required, named };

// The provider-neutral view of a request that the generator needs.
struct SimPrompt {
    std::string model;
    std::string all_text;             // every prompt text, '\n'-joined (seeds the reply)
    std::uint64_t prompt_tokens = 0;  // by the token rule above
    std::string last_user_text;       // text of the last user message
    std::string system_text;          // the system prompt (Anthropic, Converse)
    bool ends_with_tool_result = false;
    std::string tool_result_text;     // the tool results of the last message, '\n'-joined
    std::vector<ToolSpec> tools;
    ToolChoice tool_choice = ToolChoice::automatic;
    std::string tool_choice_name;     // for ToolChoice::named
    std::optional<std::uint64_t> max_tokens;
    // Reasoning asked for (Anthropic thinking, Converse reasoning_config,
    // Gemini thinkingConfig): the reply starts with signed thinking.
    std::optional<std::uint64_t> thinking_budget;
    bool show_thinking = true; // Gemini: includeThoughts (signatures come either way)
    // Prompt caching (prompt_cache.hpp): the prefixes marked cacheable, in
    // prompt order, and whether the provider caches on its own (OpenAI).
    struct CachePoint {
        std::uint64_t key = 0;    // hash of the prompt text up to here
        std::uint64_t tokens = 0; // prompt tokens up to here
    };
    std::vector<CachePoint> cache_points;
    bool automatic_cache = false;
    // Structured output (OpenAI response_format, Vertex responseMimeType):
    // the text answer is JSON, fitting response_schema when there is one.
    bool json_response = false;
    std::optional<boost::json::value> response_schema;
    // The images and documents the request carried (media_record.hpp), for /__sim/stats.
    std::vector<boost::json::object> media;
};

struct ToolCall {
    std::string id_suffix;  // deterministic; providers prefix it ("call_", "toolu_")
    std::string name;
    std::string arguments;  // compact JSON text
};

enum class FinishReason { stop, length, tool_call };

struct Reply {
    std::vector<std::string> pieces;      // text reply, one piece per token
    std::optional<ToolCall> tool_call;    // set instead of text for a tool call
    FinishReason finish = FinishReason::stop;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;     // thinking included
    // Of prompt_tokens: read from and written to the prompt cache.
    std::uint64_t cache_read_tokens = 0;
    std::uint64_t cache_write_tokens = 0;
    // With SimPrompt::thinking_budget (thinking.hpp): the thinking text, its
    // signature, and redacted data when the prompt asked for it.
    std::string thinking;
    std::string thinking_signature;
    std::string redacted_thinking;

    std::string text() const;
};

// The reply to `prompt`:
// * the last message carries tool results -> "Tool result: <results>";
// * tools offered, tool choice not "none", and a forced tool choice or a
//   `call tool <name>` directive naming an offered tool -> a call of that tool
//   ("required"/"any" without a directive calls the first tool);
// * otherwise `reply_tokens` words: "You said:" and the first words of the
//   last user message, then filler words picked by a hash of the whole prompt.
// * a tool result that carries a `call tool <name>` directive naming an offered
//   tool -> a call of that tool (a loop of several tool calls);
// * a system prompt that asks for the answer "by calling the <name> tool" (the
//   gateway's structured-output instruction while Claude thinks) naming an
//   offered tool, tool choice not "none" -> a call of that tool;
// A text reply longer than max_tokens is cut to max_tokens (finish: length).
// With json_response a text answer becomes JSON: schema_sample() of
// response_schema, or {"reply": <the text>}, in pieces of 8 bytes (each a
// token; cut at max_tokens too, which leaves JSON unfinished, as upstream).
// With thinking_budget the reply also carries signed thinking (thinking.hpp).
// With cache points, the cache tokens come from the prompt cache (prompt_cache.hpp).
Reply generate_reply(const SimPrompt &prompt, std::uint32_t reply_tokens);

// 64-bit FNV-1a, for deterministic ids and seeds.
std::uint64_t fnv1a(std::string_view text);

} // namespace helix::cloudsim
