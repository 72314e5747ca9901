#include "daemon/http/sse_writer.hpp"

#include "daemon/api/sse_frame.hpp"

#include <Poco/Exception.h>

namespace helix::http {

void SseWriter::start() {
    response_.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response_.setContentType("text/event-stream; charset=utf-8");
    response_.set("Cache-Control", "no-cache");
    response_.set("X-Accel-Buffering", "no"); // tell proxies in front not to buffer the stream
    response_.setChunkedTransferEncoding(true);
    try {
        out_ = &response_.send();
        out_->flush();
        failed_ = !*out_;
    } catch (const Poco::Exception &) {
        failed_ = true;
    }
    if (failed_) response_.setKeepAlive(false);
}

bool SseWriter::data(std::string_view payload) {
    if (failed_ || out_ == nullptr) return false;
    try {
        *out_ << api::sse_data(payload);
        out_->flush();
        failed_ = !*out_;
    } catch (const Poco::Exception &) {
        failed_ = true;
    }
    // A stream cut off mid-chunk cannot carry another request: close the
    // connection rather than wait keep_alive_timeout for one.
    if (failed_) response_.setKeepAlive(false);
    return !failed_;
}

} // namespace helix::http
