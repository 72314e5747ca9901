#pragma once
// A call made with a cached bearer token: forwards decode()/finish() to the
// provider's decoder, and when the upstream refuses the credentials (an
// HELIX_ERR_AUTH error) tells the token's cache first, so that the host's
// second prepare() fetches a fresh token instead of resending the stale one.

#include <helixagent/plugin.hpp>

#include <functional>
#include <memory>
#include <string>

namespace helix::plugin_common {

class TokenGuardedCall final : public helix::sdk::Call {
public:
    using Rejected = std::function<void(std::string_view token)>;

    TokenGuardedCall(std::unique_ptr<helix::sdk::Call> inner, Rejected rejected, std::string token)
        : inner_(std::move(inner)), rejected_(std::move(rejected)), token_(std::move(token)) {}

    void decode(const helix_http_response &response, helix::sdk::EventSink &sink) override {
        guard([&] { inner_->decode(response, sink); });
    }
    void finish(helix::sdk::EventSink &sink) override {
        guard([&] { inner_->finish(sink); });
    }

private:
    template <class F> void guard(F &&f) {
        try {
            f();
        } catch (const helix::sdk::Error &e) {
            if (e.status() == HELIX_ERR_AUTH && rejected_) rejected_(token_);
            throw;
        }
    }

    std::unique_ptr<helix::sdk::Call> inner_;
    Rejected rejected_;
    std::string token_;
};

} // namespace helix::plugin_common
