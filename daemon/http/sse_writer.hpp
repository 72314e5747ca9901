#pragma once
// Writes Server-Sent Events to a client: headers once, then one
// `data: ...\n\n` per event, flushed at once. A failed write means the client
// went away; every later write is skipped and reports false.

#include <Poco/Net/HTTPServerResponse.h>

#include <string_view>

namespace helix::http {

class SseWriter {
public:
    explicit SseWriter(Poco::Net::HTTPServerResponse &response) : response_(response) {}

    bool started() const noexcept { return out_ != nullptr; }
    bool failed() const noexcept { return failed_; }
    // Sends the 200 and the stream headers (any others set on response go too).
    void start();
    bool data(std::string_view payload); // writes "data: <payload>\n\n"
    bool done() { return data("[DONE]"); }

private:
    Poco::Net::HTTPServerResponse &response_;
    std::ostream *out_ = nullptr;
    bool failed_ = false;
};

} // namespace helix::http
