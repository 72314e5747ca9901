#pragma once
// The daemon's Redis client: one pipelined connection per event loop (a
// call runs on the loop of the coroutine that makes it), a short timeout on
// every call, and its own circuit breaker, so that a Redis that is down,
// stopped or slow fails calls at once instead of holding requests. Lua
// scripts go by EVALSHA, with EVAL when the server does not have them yet
// (a restarted Redis).
//
// What no request waits for (settlements, spend to add once Redis is back,
// the provider-state poll) runs on a BackgroundLoop it is given.

#include "daemon/config/config.hpp"
#include "daemon/redis/redis_breaker.hpp"
#include "daemon/redis/redis_connection.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>

namespace helix::redis {

// A Lua script and its SHA-1 (for EVALSHA).
struct Script {
    explicit Script(std::string text);
    std::string text;
    std::string sha1;
};

// Told of every call: whether it got a reply (a Redis error reply counts
// as one) and how long it took.
using CallObserver = std::function<void(bool ok, double seconds)>;

class RedisClient {
public:
    // `background` must outlive the client (a BackgroundLoop's executor).
    // Throws std::runtime_error when the TLS files cannot be used.
    RedisClient(const config::SharedStateSettings &settings, boost::asio::any_io_executor background,
                CallObserver observer = {});
    ~RedisClient();
    RedisClient(const RedisClient &) = delete;
    RedisClient &operator=(const RedisClient &) = delete;

    // One command on the calling coroutine's loop.
    boost::asio::awaitable<RespResult> call(std::vector<std::string> argv);
    // EVALSHA, then EVAL when Redis answers NOSCRIPT.
    boost::asio::awaitable<RespResult> eval(const Script &script, std::vector<std::string> keys,
                                            std::vector<std::string> args);

    // The loop for work nobody waits for.
    const boost::asio::any_io_executor &background() const noexcept { return background_; }
    // Reachable, as far as the last calls tell.
    bool up() const { return breaker_.closed() && last_ok_.load(); }
    const config::SharedStateSettings &settings() const noexcept { return settings_; }

private:
    std::shared_ptr<RedisConnection> connection_for(const boost::asio::any_io_executor &executor);
    // One log line each time Redis stops or starts answering.
    void log_change(const RespResult &result) const;

    const config::SharedStateSettings settings_;
    const CallObserver observer_;
    std::shared_ptr<const RedisEndpoint> endpoint_;
    RedisBreaker breaker_;
    std::atomic<bool> last_ok_{true};
    std::mutex mutex_;
    // By loop (its execution context); a connection lives as long as it is
    // in use or connected, so none outlives its loop.
    std::map<const void *, std::weak_ptr<RedisConnection>> connections_;
    boost::asio::any_io_executor background_;
};

} // namespace helix::redis
