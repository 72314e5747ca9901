#include "daemon/transport/upstream_client.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>

#include <array>

namespace helix::transport {

namespace {

std::string to_string(helix_str s) { return s.len == 0 ? std::string() : std::string(s.data, s.len); }

Poco::Timespan span(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// POCO 1.11 keeps the status in an enum whose values end at 511, so a real
// upstream status such as Anthropic's 529 "overloaded" sits in it out of
// range. Reading it back as an int is all we need; UBSan's enum check is off
// for this file (daemon/CMakeLists.txt), since POCO's inline getter is the
// only way to the status.
int status_code(const Poco::Net::HTTPResponse &response) {
    return static_cast<int>(response.getStatus());
}

// Thrown inside the exchange to leave it with a classified error.
struct Failure {
    ExchangeError error;
    std::string detail;
};

} // namespace

const char *to_string(ExchangeError e) noexcept {
    switch (e) {
    case ExchangeError::none: return "ok";
    case ExchangeError::bad_request: return "bad upstream request";
    case ExchangeError::connect_failed: return "connect failed";
    case ExchangeError::timeout: return "timeout";
    case ExchangeError::reset: return "connection reset";
    case ExchangeError::cancelled: return "cancelled";
    }
    return "unknown";
}

ExchangeResult UpstreamClient::exchange(const helix_http_request &request, const ExchangeLimits &limits,
                                        ResponseSink &sink) {
    const auto endpoint = parse_endpoint(to_string(request.url));
    if (!endpoint) return {ExchangeError::bad_request, "the plugin produced an invalid upstream URL", false};

    Poco::Net::HTTPRequest req(request.method.len ? to_string(request.method) : "POST", endpoint->path_and_query,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    for (std::size_t i = 0; i < request.header_count; ++i)
        req.set(to_string(request.headers[i].name), to_string(request.headers[i].value));
    req.setContentLength(static_cast<std::streamsize>(request.body.len));
    req.setKeepAlive(true);

    // A pooled connection may have been closed by the upstream while idle; if
    // it fails before any response byte, the request is sent once more on a
    // fresh connection (as HTTP clients commonly do for reused connections).
    for (int attempt = 0;; ++attempt) {
        ConnectionPool::Lease lease = pool_.acquire(*endpoint);
        auto &session = *lease.session;
        session.setTimeout(span(limits.connect_timeout), span(limits.read_timeout), span(limits.read_timeout));
        ExchangeResult result;
        try {
            try {
                std::ostream &out = session.sendRequest(req);
                if (request.body.len > 0) out.write(request.body.data, static_cast<std::streamsize>(request.body.len));
                out.flush();
                if (!out) throw Failure{ExchangeError::reset, "the connection broke while sending the request"};

                Poco::Net::HTTPResponse response;
                std::istream &in = session.receiveResponse(response);
                Headers headers;
                for (const auto &[name, value] : response) headers.emplace_back(name, value);
                result.head_received = true;
                if (!sink.on_head(status_code(response), headers))
                    throw Failure{ExchangeError::cancelled, "abandoned after the response head"};

                // sgetc() blocks until some bytes arrive (or EOF); in_avail()
                // then says how many the socket delivered, so each run of
                // bytes is handed on as soon as it is read. POCO hands on at
                // most its 4 KiB buffer per read; the array is not zeroed, as
                // every stack page a pool thread touches stays resident for
                // its life (10,000 streams are 10,000 threads).
                std::streambuf *buffer = in.rdbuf();
                std::array<char, 4 * 1024> chunk;
                std::int64_t received = 0;
                while (buffer->sgetc() != std::char_traits<char>::eof()) {
                    const std::streamsize avail =
                        std::min<std::streamsize>(buffer->in_avail(), static_cast<std::streamsize>(chunk.size()));
                    const std::streamsize n = buffer->sgetn(chunk.data(), std::max<std::streamsize>(avail, 1));
                    if (n <= 0) break;
                    received += n;
                    if (!sink.on_body(chunk.data(), static_cast<std::size_t>(n)))
                        throw Failure{ExchangeError::cancelled, "abandoned during the response body"};
                }
                // POCO reports a body cut short as a normal end; a declared
                // length tells. (A chunked body cut short cannot be told apart
                // in POCO 1.11: the plugins' framing - [DONE], message_stop,
                // event-stream frames - catches that.)
                if (response.hasContentLength() && received < response.getContentLength64())
                    throw Failure{ExchangeError::reset, "the upstream closed the connection after " +
                                                            std::to_string(received) + " of " +
                                                            std::to_string(response.getContentLength64()) + " bytes"};
                if (response.getKeepAlive()) pool_.release(*endpoint, std::move(lease.session));
                return result;
            } catch (const Poco::TimeoutException &) {
                throw Failure{ExchangeError::timeout, result.head_received ? "the upstream stopped sending (read timeout)"
                                                                           : "no response from the upstream in time"};
            } catch (const Poco::Net::ConnectionRefusedException &) {
                throw Failure{ExchangeError::connect_failed, "connection refused by " + endpoint->host};
            } catch (const Poco::Net::HostNotFoundException &) {
                throw Failure{ExchangeError::connect_failed, "unknown host " + endpoint->host};
            } catch (const Poco::Net::NoAddressFoundException &) {
                throw Failure{ExchangeError::connect_failed, "no address for host " + endpoint->host};
            } catch (const Poco::Exception &e) {
                throw Failure{ExchangeError::reset, e.displayText()};
            } catch (const std::exception &e) {
                throw Failure{ExchangeError::reset, e.what()};
            }
        } catch (const Failure &f) {
            const bool retry_fresh = lease.reused && !result.head_received && attempt == 0 &&
                                     f.error != ExchangeError::cancelled && f.error != ExchangeError::timeout;
            if (retry_fresh) continue;
            result.error = f.error;
            result.detail = f.detail;
            return result;
        }
    }
}

} // namespace helix::transport
