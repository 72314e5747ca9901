#pragma once
// POST /v1/chat/completions bodies: parsed and validated the way OpenAI does
// it, into the host's canonical request (helix_chat_request of the plugin ABI).
//
// Validation follows OpenAI: the body must be a JSON object; unknown members
// are ignored (they stay in original_body for providers that speak OpenAI's
// dialect); an optional member whose value is null counts as absent. Every
// failure is a 400 invalid_request_error whose param is the exact path of the
// field ("messages[2].content[0].image_url.url") and whose message says what
// is wrong and what is expected. Codes: missing_required_parameter,
// invalid_type, invalid_value, empty_array, array_above_max_length,
// integer_below_min_value, integer_above_max_value, decimal_below_min_value,
// decimal_above_max_value, unsupported_value; malformed JSON has param and
// code null, as at OpenAI.

#include "daemon/api/error_body.hpp"
#include "daemon/api/json_fields.hpp" // kMaxJsonDepth
#include "helixagent/plugin_abi.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace helix::api {

// Limits of the parser (beyond those OpenAI documents).
inline constexpr std::uint32_t kMaxN = 128;
inline constexpr std::size_t kMaxStop = 4;

// A parsed, valid chat completion request. It owns every byte view() points
// to: the body text, the parsed document (strings point into it), the arrays
// of messages, parts, tool calls, tools and stop sequences, and JSON text it
// serialised (tool parameters, the response schema).
//
// Move-only: the state lives behind a unique_ptr, so moving a ChatRequest
// moves the pointer and every pointer in view() stays valid. It is not
// copyable (nothing needs a second copy of a multi-megabyte body with images;
// parse the body again if you do). A moved-from ChatRequest may only be
// destroyed or assigned; its view() is an empty request (no messages).
class ChatRequest {
public:
    ChatRequest(ChatRequest &&) noexcept;
    ChatRequest &operator=(ChatRequest &&) noexcept;
    ChatRequest(const ChatRequest &) = delete;
    ChatRequest &operator=(const ChatRequest &) = delete;
    ~ChatRequest();

    // The canonical request for a plugin's prepare(). view().model is the
    // client's model until set_upstream_model() changes it.
    const helix_chat_request &view() const noexcept;

    // The model exactly as the client wrote it, e.g. "openai/gpt-4o" or an alias.
    std::string_view model() const noexcept;
    // What view().model says now (the client's model, or the last set_upstream_model).
    std::string_view upstream_model() const noexcept;
    // The router maps "provider/model" to the provider's upstream id; call it
    // again for each fail-over candidate. Only view().model changes.
    void set_upstream_model(std::string model);

    bool stream() const noexcept;
    bool include_usage() const noexcept; // stream_options.include_usage (only with stream)
    std::uint32_t n() const noexcept;    // 1 when not given
    std::string_view body() const noexcept; // the client's body text (= view().original_body)

    // The host fetched the URL of part `part` of message `message` (an
    // image_url part, or a document with HELIX_SOURCE_URL): from now on it
    // is inline, an image_url as a base64 data: URI, a document as
    // HELIX_SOURCE_BYTES with `media_type`. Anything else is left alone.
    void inline_part(std::size_t message, std::size_t part, std::string media_type, std::string bytes);

    // What a model must support to serve this request, as HELIX_MODEL_* bits:
    // STREAMING (stream), TOOLS (tools given, or assistant tool_calls / tool
    // messages in the history), VISION (an image_url part), DOCUMENTS (a file
    // part), MULTIPLE_CHOICES (n > 1).
    // The router compares it with helix_model_info.capabilities and answers
    // with feature_not_supported() (errors.hpp) where a candidate lacks one.
    std::uint32_t required_capabilities() const noexcept;

private:
    struct Impl;
    explicit ChatRequest(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;

    friend class ChatRequestParser;
};

using ParseResult = std::variant<ChatRequest, ApiError>;

// Parses and validates a body. Never throws (an allocation failure becomes a
// 500 ApiError) and never crashes, whatever the bytes. The string_view
// overload copies the body; the rvalue overload takes it over without a copy.
ParseResult parse_chat_request(std::string_view body);
ParseResult parse_chat_request(std::string &&body);
ParseResult parse_chat_request(const char *body); // literals (the two above would be ambiguous)

} // namespace helix::api
