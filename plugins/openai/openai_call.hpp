#pragma once
// decode()/finish() of the openai provider: OpenAI's responses -> canonical events.
//
// Non-streamed (application/json): on finish(), START(id, model), an EXTRA
// system_fingerprint when given, then per choice TEXT_DELTA (content; a
// refusal is text too: the canonical form has no refusal channel, and the
// client should see what the model said), one TOOL_CALL_DELTA per tool call
// (tool_index = its position, id, name, whole arguments), FINISH; then USAGE.
//
// Legacy completions (text_completion, whole or streamed) decode alike: a
// choice's `text` is its TEXT_DELTA, and its `logprobs`, when not null, an
// EXTRA event "logprobs" just before it.
//
// Azure OpenAI's prompt_filter_results (response level) and a choice's
// content_filter_results go on as EXTRA events (streamed: the choice's with
// its finishing chunk).
//
// Streamed (text/event-stream, "data: <chunk>" events ending in
// "data: [DONE]"): the same events as the chunks arrive. Tool-call deltas
// keep OpenAI's own `index` as tool_index. The usage chunk (forced on by
// prepare()) gives USAGE whether or not the client asked for it; the host
// decides what the client sees. START comes with the first chunk that has an
// id or choices (Azure-style prompt-filter chunks without either wait).
//
// Errors:
//   non-2xx             the OpenAI error body's message/code/param with the
//                       status rules of plugin_common::http_error (429, 408,
//                       409, 5xx -> RETRY with Retry-After; 401/403 -> AUTH;
//                       other 4xx passed through). A 429 whose code or type is
//                       insufficient_quota is not retryable: UPSTREAM, 502.
//   in-stream error     a chunk with an "error" member or an `event: error`
//                       -> Error by error.type/code (server errors and rate
//                       limits RETRY, the rest UPSTREAM)
//   malformed JSON      PROTOCOL
//   truncation          a stream without "data: [DONE]" is an error
//                       (PROTOCOL) even when every choice had finished: the
//                       usage chunk that comes last is then missing too.
//   [DONE] before a started choice said finish_reason: FINISH stop is added.

#include "plugins/common/response_decoder.hpp"
#include "plugins/openai/openai_settings.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace helix::openai {

helix_finish_reason map_finish_reason(std::string_view reason) noexcept;

// The Error for a non-2xx answer with OpenAI's error body (shared by every
// OpenAI-dialect call: chat, embeddings, Azure's). `secret` is redacted.
helix::sdk::Error error_from_body(const helix::plugin_common::ResponseInfo &info, std::string_view body,
                                  std::string_view secret);

// How a non-2xx body becomes the call's Error (`secret` is redacted). OpenAI's
// error object by default (error_from_body); a service that speaks OpenAI's
// wire behind its own platform (Vertex AI's OpenAI-compatible endpoint, whose
// errors are Google's) passes its own.
using ErrorReader = std::function<helix::sdk::Error(const helix::plugin_common::ResponseInfo &info,
                                                     std::string_view body, std::string_view secret)>;

class OpenAiCall final : public helix::plugin_common::ResponseDecoder {
public:
    // The settings' api_key is the secret kept out of every message.
    OpenAiCall(std::shared_ptr<const Settings> settings, helix::plugin_common::DecoderOptions options);
    // Another provider's call in OpenAI's wire: its credential (a token) and its error bodies.
    OpenAiCall(std::string secret, helix::plugin_common::DecoderOptions options, ErrorReader errors);

private:
    void on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) override;
    void on_stream_end(helix::sdk::EventSink &events) override;
    void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) override;
    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override;

    void on_chunk(const boost::json::object &chunk, helix::sdk::EventSink &events);
    static void on_text_choice(const boost::json::object &choice, std::uint32_t index, helix::sdk::EventSink &events);
    static void forward_extra(const boost::json::object &holder, std::string_view name, std::uint32_t choice,
                              helix::sdk::EventSink &events);
    [[noreturn]] void throw_embedded_error(const boost::json::value &error) const;

    struct ChoiceState {
        bool seen = false;
        bool finished = false;
    };
    ChoiceState &choice(std::uint32_t index);

    std::shared_ptr<const std::string> secret_; // never empty (points into the settings, or owned)
    ErrorReader errors_;
    std::vector<ChoiceState> choices_;
    bool started_ = false;
    bool fingerprint_sent_ = false;
    bool done_ = false;
    bool any_chunk_ = false;
    std::string pending_prompt_filters_; // Azure's, held until START
};

} // namespace helix::openai
