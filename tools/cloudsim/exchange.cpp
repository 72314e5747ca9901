#include "tools/cloudsim/exchange.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <istream>
#include <ostream>
#include <thread>

namespace helix::cloudsim {

namespace {

std::atomic<bool> g_stopping{false};

constexpr std::chrono::milliseconds kWaitSlice{250};

std::string_view reason_for(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 529: return "Site Overloaded";
    default: return "Status";
    }
}

// POCO keeps the status in an enum whose values end at 511; a larger one
// (Anthropic's 529) would be undefined behaviour there.
bool poco_status(int status) { return status >= 100 && status <= 511; }

} // namespace

void request_stop() { g_stopping.store(true); }
bool stop_requested() { return g_stopping.load(); }

Exchange::Exchange(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response,
                   ExchangeChannel *channel)
    : request_(request), response_(response), channel_(channel) {
    const std::string &uri = request_.getURI();
    const auto q = uri.find('?');
    path_ = uri.substr(0, q);
    if (q != std::string::npos) query_ = uri.substr(q + 1);
}

const std::string &Exchange::method() const { return request_.getMethod(); }
std::string_view Exchange::path() const { return path_; }
std::string_view Exchange::query() const { return query_; }

std::optional<std::string> Exchange::header(std::string_view name) const {
    const std::string key(name);
    if (!request_.has(key)) return std::nullopt;
    return request_.get(key);
}

HeaderLookup Exchange::header_lookup() const {
    return [this](std::string_view name) { return header(name); };
}

bool Exchange::read_body(std::string &out, std::size_t limit) {
    body_read_ = true;
    out.clear();
    const auto declared = request_.getContentLength64();
    if (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH) {
        if (declared < 0 || static_cast<std::uint64_t>(declared) > limit) {
            response_.setKeepAlive(false);
            return false;
        }
        out.reserve(static_cast<std::size_t>(declared));
    }
    std::istream &in = request_.stream();
    char buf[16384];
    while (in) {
        in.read(buf, sizeof buf);
        const auto got = in.gcount();
        if (got <= 0) break;
        out.append(buf, static_cast<std::size_t>(got));
        if (out.size() > limit) {
            response_.setKeepAlive(false);
            return false;
        }
    }
    return true;
}

void Exchange::settle_request_body() {
    if (body_read_) return;
    body_read_ = true;
    const auto declared = request_.getContentLength64();
    const bool has_body = request_.getChunkedTransferEncoding() ||
                          (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH && declared > 0);
    if (!has_body) return;
    constexpr std::streamsize kDrainLimit = 1024 * 1024;
    std::istream &in = request_.stream();
    char buf[16384];
    std::streamsize drained = 0;
    while (in && drained <= kDrainLimit) {
        in.read(buf, sizeof buf);
        if (in.gcount() <= 0) break;
        drained += in.gcount();
    }
    if (drained > kDrainLimit) response_.setKeepAlive(false);
}

void Exchange::set_status(int status) {
    status_ = status;
    if (!poco_status(status)) return; // send() writes it itself
    response_.setStatus(std::to_string(status));
    response_.setReason(std::string(reason_for(status)));
}

void Exchange::set_header(const std::string &name, const std::string &value) { response_.set(name, value); }

void Exchange::send(int status, std::string_view content_type, std::string_view body) {
    settle_request_body();
    if (!poco_status(status)) return send_raw(status, content_type, body);
    set_status(status);
    response_.setContentType(std::string(content_type));
    response_.sendBuffer(body.data(), body.size());
}

void Exchange::send_raw(int status, std::string_view content_type, std::string_view body) {
    status_ = status;
    if (channel_) return channel_->send_raw(status, response_, content_type, body);
    std::string out = response_.getVersion() + " " + std::to_string(status) + " " + std::string(reason_for(status)) + "\r\n";
    for (const auto &[name, value] : response_) {
        if (Poco::icompare(name, "Content-Length") == 0 || Poco::icompare(name, "Content-Type") == 0 ||
            Poco::icompare(name, "Transfer-Encoding") == 0)
            continue;
        out.append(name).append(": ").append(value).append("\r\n");
    }
    out.append("Content-Type: ").append(content_type).append("\r\n");
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
    out.append(body);
    try {
        std::size_t sent = 0;
        while (sent < out.size()) {
            const int n = socket().sendBytes(out.data() + sent, static_cast<int>(std::min<std::size_t>(out.size() - sent, 1 << 20)));
            if (n <= 0) abort();
            sent += static_cast<std::size_t>(n);
        }
    } catch (const Poco::Exception &) {
        abort();
    }
}

std::ostream &Exchange::begin_stream(std::string_view content_type) {
    settle_request_body();
    response_.setChunkedTransferEncoding(true);
    response_.setContentType(std::string(content_type));
    response_.set("Cache-Control", "no-cache");
    return response_.send();
}

std::ostream &Exchange::begin_body(std::string_view content_type, std::size_t content_length) {
    settle_request_body();
    response_.setChunkedTransferEncoding(false);
    response_.setContentType(std::string(content_type));
    response_.setContentLength64(static_cast<Poco::Int64>(content_length));
    std::ostream &out = response_.send();
    return out;
}

bool Exchange::wait(std::chrono::milliseconds duration) {
    if (channel_) return channel_->wait(duration);
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + duration;
    for (;;) {
        if (stop_requested()) return false;
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - clock::now());
        if (left.count() <= 0) return true;
        const auto slice = std::min<std::chrono::microseconds>(left, kWaitSlice);
        // Plain poll(2) on the one socket: POCO's Socket::poll() builds and
        // closes an epoll set on every call, which costs 4 syscalls per token.
        bool readable = false;
        try {
            pollfd pfd{};
            pfd.fd = socket().impl()->sockfd();
            pfd.events = POLLIN;
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(slice + std::chrono::microseconds(999));
            const int rc = ::poll(&pfd, 1, static_cast<int>(ms.count()));
            if (rc < 0 && errno != EINTR) return false;
            readable = rc > 0;
            if (readable && (pfd.revents & (POLLERR | POLLNVAL)) != 0) return false;
            // Readable with nothing to read: the peer closed or reset.
            if (readable && socket().available() <= 0) return false;
        } catch (...) {
            return false;
        }
        // The client sent more bytes (a pipelined request): poll() would not
        // block any more, so sleep the slice instead.
        if (readable) std::this_thread::sleep_for(slice);
    }
}

void Exchange::abort() {
    if (channel_) {
        channel_->reset();
        throw ConnectionAborted{};
    }
    try {
        Poco::Net::StreamSocket &s = socket();
        s.setLinger(true, 0);
        s.close();
    } catch (...) {
        // Already closed: nothing more to do.
    }
    throw ConnectionAborted{};
}

int Exchange::status() const { return status_; }

Poco::Net::StreamSocket &Exchange::socket() {
    return static_cast<Poco::Net::HTTPServerRequestImpl &>(request_).socket();
}

} // namespace helix::cloudsim
