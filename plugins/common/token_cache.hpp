#pragma once
// A bearer token shared by every call of one provider instance (Entra ID,
// Google OAuth2, instance metadata). It is fetched once, reused until it is
// within `refresh_margin` of its expiry (or past half its lifetime, for
// tokens that live shorter than two margins), and dropped when the upstream
// rejects it (a 401), so the next prepare() fetches a fresh one.
// Thread-safe, one fetch at a time, run outside the lock: while a token is
// being fetched, other callers use the current one if it has not expired
// yet, and wait for that fetch only when there is none. On a thread that
// must not block (may_block false: the host's event loop) a call that would
// fetch or wait throws HELIX_ERR_WOULD_BLOCK instead, changing nothing.

#include <helixagent/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace helix::plugin_common {

struct BearerToken {
    std::string value;
    std::int64_t expires_at_ms = 0; // Unix time
};

class TokenCache {
public:
    using Fetch = std::function<BearerToken()>; // throws helix::sdk::Error

    explicit TokenCache(std::chrono::milliseconds refresh_margin = std::chrono::minutes(5))
        : margin_ms_(refresh_margin.count()) {}

    std::string get(std::int64_t now_ms, const Fetch &fetch, bool may_block = true) {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (token_ && now_ms < refresh_at_ms_) return token_->value;
            if (fetching_ && token_ && now_ms < token_->expires_at_ms) return token_->value; // still good meanwhile
            if (!may_block) throw helix::sdk::would_block(); // the host asks again where it may fetch
            if (!fetching_) break;
            fetched_.wait(lock);
        }
        fetching_ = true;
        lock.unlock();
        std::optional<BearerToken> fresh;
        try {
            fresh = fetch();
        } catch (...) {
            lock.lock();
            fetching_ = false;
            fetched_.notify_all();
            throw;
        }
        lock.lock();
        fetching_ = false;
        fetched_.notify_all();
        const std::int64_t lifetime = fresh->expires_at_ms - now_ms;
        refresh_at_ms_ = fresh->expires_at_ms - std::min(margin_ms_, lifetime / 2);
        token_ = std::move(fresh);
        return token_->value;
    }

    // Forgets `rejected` if it is still the cached token (another call may
    // already have replaced it).
    void invalidate(std::string_view rejected) {
        std::lock_guard lock(mutex_);
        if (token_ && token_->value == rejected) token_.reset();
    }

    // Unexpired at now_ms (for health checks, which must not do I/O).
    bool valid_at(std::int64_t now_ms) const {
        std::lock_guard lock(mutex_);
        return token_ && now_ms < token_->expires_at_ms;
    }

private:
    std::int64_t margin_ms_;
    mutable std::mutex mutex_;
    std::condition_variable fetched_;
    bool fetching_ = false;
    std::optional<BearerToken> token_;
    std::int64_t refresh_at_ms_ = 0;
};

} // namespace helix::plugin_common
