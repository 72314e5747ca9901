#pragma once
// The response side every HTTP+JSON provider shares, as a helix::sdk::Call
// base: a plugin's call derives from ResponseDecoder and only says what a
// JSON body, an SSE event and an error body mean.
//
// On the first decode() the status and headers decide the mode:
//   non-2xx                          -> the body (first max_error_bytes) is kept
//                                       and on_error_body() builds the Error that
//                                       finish() throws
//   2xx, content-type event-stream   -> SSE: every event goes to on_sse_event()
//                                       as it completes; finish() calls
//                                       on_stream_end() to check completeness
//   2xx, content-type *json*         -> the body is parsed incrementally (no
//                                       copy of the text) and finish() hands
//                                       the value to on_json_body()
//   2xx, other/absent content-type   -> SSE if the request asked to stream, else JSON
// Malformed JSON, a body over max_json_bytes, an SSE event over
// max_event_bytes, and a JSON body cut short all throw HELIX_ERR_PROTOCOL.
// Events are emitted only from whole SSE events or whole bodies, so the
// event sequence never depends on how the body was split into chunks.

#include "plugins/common/sse_parser.hpp"
#include "plugins/common/upstream_error.hpp"

#include <helixagent/plugin.hpp>

#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace helix::plugin_common {

inline constexpr std::size_t kDefaultMaxJsonBodyBytes = 64u * 1024u * 1024u;
inline constexpr std::size_t kDefaultMaxErrorBodyBytes = 64u * 1024u;
// Deeper than Boost.JSON's default of 32: tool arguments and schemas nest.
inline constexpr std::size_t kMaxJsonDepth = 256;

struct DecoderOptions {
    bool expect_stream = false;                // the request asked for a stream
    std::function<std::int64_t()> now_unix_ms; // for Retry-After dates; may be empty (then 0)
    std::size_t max_json_bytes = kDefaultMaxJsonBodyBytes;
    std::size_t max_event_bytes = kDefaultMaxSseEventBytes;
    std::size_t max_error_bytes = kDefaultMaxErrorBodyBytes;
};

// Parses a JSON text with the project's limits; throws HELIX_ERR_PROTOCOL
// naming `what` ("stream chunk", "response body") when it is not valid JSON.
// `storage` lets a caller parse small SSE chunks into a stack buffer
// (boost::json::monotonic_resource) instead of the heap.
boost::json::value parse_json_or_throw(std::string_view text, std::string_view what,
                                       boost::json::storage_ptr storage = {});

// Throws HELIX_ERR_PROTOCOL with this message (code upstream_protocol_error).
[[noreturn]] void throw_protocol_error(std::string message);

class ResponseDecoder : public helix::sdk::Call {
public:
    explicit ResponseDecoder(DecoderOptions options);

    void decode(const helix_http_response &response, helix::sdk::EventSink &events) final;
    void finish(helix::sdk::EventSink &events) final;

protected:
    enum class Mode { unknown, error, sse, json };

    virtual void on_sse_event(const SseEvent &event, helix::sdk::EventSink &events) = 0;
    // The SSE body ended (without a partial event). Throw if the stream was incomplete.
    virtual void on_stream_end(helix::sdk::EventSink &events) = 0;
    virtual void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) = 0;
    // A non-2xx answer: `body` is its first max_error_bytes bytes (maybe not JSON).
    virtual helix::sdk::Error on_error_body(const ResponseInfo &info, std::string_view body) = 0;

    Mode mode() const noexcept { return mode_; }
    const ResponseInfo &response_info() const noexcept { return info_; }

private:
    void start(const helix_http_response &response);

    DecoderOptions options_;
    Mode mode_ = Mode::unknown;
    ResponseInfo info_;
    std::string error_body_;
    SseParser sse_;
    std::optional<boost::json::stream_parser> json_;
    std::size_t json_bytes_ = 0;
};

} // namespace helix::plugin_common
