#include "daemon/redis/redis_client.hpp"

#include "daemon/redis/redis_tls_context.hpp"

#include <Poco/Logger.h>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include <openssl/sha.h>

#include <cstdio>

namespace helix::redis {

namespace asio = boost::asio;

Script::Script(std::string source) : text(std::move(source)) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char *>(text.data()), text.size(), digest);
    char hex[2 * SHA_DIGEST_LENGTH + 1];
    for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    sha1 = hex;
}

RedisClient::RedisClient(const config::SharedStateSettings &settings, asio::any_io_executor background,
                         CallObserver observer)
    : settings_(settings), observer_(std::move(observer)), background_(std::move(background)) {
    auto endpoint = std::make_shared<RedisEndpoint>();
    endpoint->host = settings.host;
    endpoint->port = settings.port;
    endpoint->user = settings.user;
    endpoint->password = settings.password;
    endpoint->tls = settings.tls;
    endpoint->db = settings.db;
    endpoint->server_name = settings.server_name.empty() ? settings.host : settings.server_name;
    endpoint->tls_context = settings.tls ? make_redis_tls_context(settings)
                                         : std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    endpoint_ = std::move(endpoint);
}

RedisClient::~RedisClient() {
    // Connections still open on the server's loops (a reload replaced this
    // client) are closed there; one whose loop is gone has gone with it. The
    // background loop's connection ends with the loop, or its next call.
    const std::lock_guard lock(mutex_);
    for (auto &[context, weak] : connections_)
        if (auto c = weak.lock(); c && c->executor() != background_)
            asio::post(c->executor(), [c] { c->close("Redis client replaced"); });
}

std::shared_ptr<RedisConnection> RedisClient::connection_for(const asio::any_io_executor &executor) {
    const void *context = &asio::query(executor, asio::execution::context);
    const std::lock_guard lock(mutex_);
    auto &slot = connections_[context];
    auto connection = slot.lock();
    if (!connection || connection->broken()) {
        connection = std::make_shared<RedisConnection>(executor, endpoint_);
        slot = connection;
    }
    return connection;
}

asio::awaitable<RespResult> RedisClient::call(std::vector<std::string> argv) {
    if (!breaker_.allow()) {
        last_ok_ = false;
        co_return RespResult{false, {}, "Redis unreachable (its circuit is open)"};
    }
    const auto started = std::chrono::steady_clock::now();
    auto connection = connection_for(co_await asio::this_coro::executor);
    RespResult result = co_await connection->call(std::move(argv), settings_.timeout);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // A call its caller gave up on says nothing about Redis.
    if (result.failure == "Redis call cancelled") co_return result;
    if (result.ok)
        breaker_.succeeded();
    else
        breaker_.failed();
    if (last_ok_.exchange(result.ok) != result.ok) log_change(result);
    if (observer_) observer_(result.ok, seconds);
    co_return result;
}

void RedisClient::log_change(const RespResult &result) const {
    auto &log = Poco::Logger::get("helixagentd");
    if (result.ok)
        log.information("shared_state: Redis at " + settings_.url + " answers again: limits and provider state are shared");
    else
        log.error("shared_state: Redis at " + settings_.url + " unreachable (" + result.failure +
                  "): degraded, limits count on this replica until it answers");
}

asio::awaitable<RespResult> RedisClient::eval(const Script &script, std::vector<std::string> keys,
                                              std::vector<std::string> args) {
    std::vector<std::string> argv{"EVALSHA", script.sha1, std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    RespResult result = co_await call(argv);
    if (result.ok && result.value.is_error() && result.value.text.starts_with("NOSCRIPT")) {
        argv[0] = "EVAL";
        argv[1] = script.text;
        result = co_await call(std::move(argv));
    }
    co_return result;
}

} // namespace helix::redis
