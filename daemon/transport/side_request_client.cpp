#include "daemon/transport/side_request_client.hpp"

#include "daemon/plugins/response_view.hpp"

#include <cstdio>

namespace helix::transport {

namespace {

// Side responses are small (tokens, credentials); anything bigger is refused.
constexpr std::size_t max_side_response = 1024 * 1024;

class WholeResponse final : public ResponseSink {
public:
    bool on_head(int status, const Headers &headers) override {
        status_ = status;
        headers_ = headers;
        return true;
    }
    bool on_body(const char *data, std::size_t len) override {
        if (body_.size() + len > max_side_response) return false;
        body_.append(data, len);
        return true;
    }

    void deliver(helix_fetch_callback on_response, void *user) const {
        const std::vector<helix_header> views = plugins::header_views(headers_);
        const helix_http_response r = plugins::response_view(status_, views, body_);
        on_response(user, &r);
    }

private:
    int status_ = 0;
    Headers headers_;
    std::string body_;
};

} // namespace

helix_status PooledSideRequestClient::fetch(const helix_http_request &request, std::chrono::milliseconds timeout,
                                            helix_fetch_callback on_response, void *user, helix_error *err) {
    WholeResponse response;
    // The timeout bounds the whole side request, not only each silence.
    const ExchangeResult result =
        client_.exchange(request, {timeout, timeout, std::chrono::steady_clock::now() + timeout}, response);
    if (result.error == ExchangeError::none) {
        response.deliver(on_response, user);
        return HELIX_OK;
    }
    if (err != nullptr && err->struct_size >= sizeof(helix_error)) {
        const std::string message = result.error == ExchangeError::cancelled
                                        ? "side response larger than 1 MiB"
                                        : std::string("side request failed: ") + result.detail;
        std::snprintf(err->message, sizeof err->message, "%s", message.c_str());
    }
    return result.error == ExchangeError::bad_request ? HELIX_ERR_INTERNAL : HELIX_ERR_RETRY;
}

} // namespace helix::transport
