#include "plugins/common/response_decoder.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <utility>

namespace helix::plugin_common {

namespace {

boost::json::parse_options json_options() {
    boost::json::parse_options o;
    o.max_depth = kMaxJsonDepth;
    return o;
}

} // namespace

void throw_protocol_error(std::string message) {
    throw helix::sdk::Error(HELIX_ERR_PROTOCOL, std::move(message), 502, 0, "upstream_protocol_error");
}

boost::json::value parse_json_or_throw(std::string_view text, std::string_view what, boost::json::storage_ptr storage) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec, std::move(storage), json_options());
    if (ec) throw_protocol_error("the upstream sent a " + std::string(what) + " that is not valid JSON (" + ec.message() + ")");
    return v;
}

ResponseDecoder::ResponseDecoder(DecoderOptions options)
    : options_(std::move(options)), sse_(options_.max_event_bytes) {}

void ResponseDecoder::start(const helix_http_response &response) {
    const std::int64_t now = options_.now_unix_ms ? options_.now_unix_ms() : 0;
    info_ = read_response_info(response, now);
    if (!is_success_status(info_.status)) {
        mode_ = Mode::error;
    } else if (info_.content_type.find("text/event-stream") != std::string::npos) {
        // A reply to a request that did not ask for a stream is one JSON
        // object; a stream instead would be collected without end.
        if (!options_.expect_stream)
            throw_protocol_error("the upstream answered a non-streamed request with an event stream");
        mode_ = Mode::sse;
    } else if (info_.content_type.find("json") != std::string::npos) {
        mode_ = Mode::json;
    } else {
        mode_ = options_.expect_stream ? Mode::sse : Mode::json;
    }
    if (mode_ == Mode::json) {
        json_.emplace(boost::json::storage_ptr(), json_options());
        // The reply's document in one arena, freed with it: not an allocation per key and string.
        json_->reset(boost::json::make_shared_resource<boost::json::monotonic_resource>());
    }
}

void ResponseDecoder::decode(const helix_http_response &response, helix::sdk::EventSink &events) {
    if (mode_ == Mode::unknown) start(response);
    const std::string_view bytes(response.len == 0 ? "" : reinterpret_cast<const char *>(response.data), response.len);
    if (bytes.empty()) return;
    switch (mode_) {
    case Mode::error:
        if (error_body_.size() < options_.max_error_bytes)
            error_body_.append(bytes.substr(0, options_.max_error_bytes - error_body_.size()));
        return;
    case Mode::sse:
        try {
            sse_.feed(bytes, [&](const SseEvent &event) { on_sse_event(event, events); });
        } catch (const SseError &e) {
            throw_protocol_error(std::string("the upstream's event stream is unusable: ") + e.what());
        }
        return;
    case Mode::json: {
        json_bytes_ += bytes.size();
        if (json_bytes_ > options_.max_json_bytes)
            throw_protocol_error("the upstream's response body exceeds " + std::to_string(options_.max_json_bytes) + " bytes");
        boost::system::error_code ec;
        json_->write(bytes.data(), bytes.size(), ec);
        if (ec) throw_protocol_error("the upstream sent a response body that is not valid JSON (" + ec.message() + ")");
        return;
    }
    case Mode::unknown:
        break;
    }
}

void ResponseDecoder::finish(helix::sdk::EventSink &events) {
    switch (mode_) {
    case Mode::unknown:
        throw_protocol_error("the upstream response ended before its status was known");
    case Mode::error:
        throw on_error_body(info_, error_body_);
    case Mode::sse:
        if (sse_.finish()) throw_protocol_error("the upstream's event stream ended in the middle of an event (truncated)");
        on_stream_end(events);
        return;
    case Mode::json: {
        if (json_bytes_ == 0) throw_protocol_error("the upstream answered HTTP " + std::to_string(info_.status) + " with an empty body");
        boost::system::error_code ec;
        json_->finish(ec);
        if (ec) throw_protocol_error("the upstream's response body is incomplete or not valid JSON (" + ec.message() + ")");
        const boost::json::value body = json_->release();
        json_.reset();
        on_json_body(body, events);
        return;
    }
    }
}

} // namespace helix::plugin_common
