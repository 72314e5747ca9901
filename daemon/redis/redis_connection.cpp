#include "daemon/redis/redis_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <hiredis/hiredis.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <tuple>

namespace helix::redis {

namespace asio = boost::asio;

namespace {

RespValue copy_reply(const redisReply &r) {
    RespValue v;
    switch (r.type) {
    case REDIS_REPLY_STATUS: v.type = RespValue::Type::status; break;
    case REDIS_REPLY_ERROR: v.type = RespValue::Type::error; break;
    case REDIS_REPLY_INTEGER: v.type = RespValue::Type::integer; break;
    case REDIS_REPLY_STRING: v.type = RespValue::Type::string; break;
    case REDIS_REPLY_ARRAY: v.type = RespValue::Type::array; break;
    default: v.type = RespValue::Type::nil; break;
    }
    if (r.type == REDIS_REPLY_INTEGER) v.integer = r.integer;
    if (r.str != nullptr) v.text.assign(r.str, r.len);
    for (std::size_t i = 0; r.type == REDIS_REPLY_ARRAY && i < r.elements; ++i) v.elements.push_back(copy_reply(*r.element[i]));
    return v;
}

} // namespace

RedisConnection::RedisConnection(asio::any_io_executor executor, std::shared_ptr<const RedisEndpoint> endpoint)
    : executor_(std::move(executor)), endpoint_(std::move(endpoint)), stream_(executor_, *endpoint_->tls_context),
      wake_(executor_), reader_(redisReaderCreate()) {
    // AUTH and SELECT go first, pipelined with whatever follows.
    if (!endpoint_->password.empty()) {
        auto auth = std::make_shared<Pending>(executor_);
        auth->internal = true;
        if (endpoint_->user.empty())
            enqueue({"AUTH", endpoint_->password}, auth);
        else
            enqueue({"AUTH", endpoint_->user, endpoint_->password}, auth);
    }
    if (endpoint_->db != 0) {
        auto select = std::make_shared<Pending>(executor_);
        select->internal = true;
        enqueue({"SELECT", std::to_string(endpoint_->db)}, select);
    }
}

RedisConnection::~RedisConnection() { redisReaderFree(reader_); }

void RedisConnection::enqueue(const std::vector<std::string> &argv, std::shared_ptr<Pending> pending) {
    std::vector<const char *> args;
    std::vector<std::size_t> lengths;
    for (const std::string &a : argv) {
        args.push_back(a.data());
        lengths.push_back(a.size());
    }
    char *command = nullptr;
    const int length = redisFormatCommandArgv(&command, static_cast<int>(args.size()), args.data(), lengths.data());
    if (length < 0 || command == nullptr) {
        pending->finished = true;
        pending->result.failure = "Redis command could not be encoded";
        return;
    }
    outbox_.append(command, static_cast<std::size_t>(length));
    redisFreeCommand(command);
    pending_.push_back(std::move(pending));
    wake_.cancel();
}

asio::awaitable<RespResult> RedisConnection::call(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
    if (state_ == State::broken) co_return RespResult{false, {}, "Redis connection closed"};
    auto pending = std::make_shared<Pending>(executor_);
    enqueue(argv, pending);
    if (state_ == State::idle) {
        state_ = State::connecting;
        asio::co_spawn(executor_, run(), asio::detached); // run() holds the connection from its first step
    }
    if (!pending->finished) {
        pending->done.expires_after(timeout);
        const auto [ec] = co_await pending->done.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!pending->finished) {
            if (ec == asio::error::operation_aborted) // the caller went away; its reply, when it comes, is dropped
                co_return RespResult{false, {}, "Redis call cancelled"};
            close("Redis: no reply within " + std::to_string(timeout.count()) + " ms");
        }
    }
    co_return pending->result;
}

void RedisConnection::deliver(RespValue value) {
    if (pending_.empty()) {
        close("Redis sent a reply nobody asked for");
        return;
    }
    auto pending = std::move(pending_.front());
    pending_.pop_front();
    if (pending->internal && value.is_error()) {
        close("Redis refused the connection's set-up: " + value.text);
        return;
    }
    pending->finished = true;
    pending->result = RespResult{true, std::move(value), {}};
    pending->done.cancel();
}

void RedisConnection::close(const std::string &why) {
    state_ = State::broken;
    auto waiting = std::move(pending_);
    pending_.clear();
    for (const auto &p : waiting) {
        if (p->finished) continue;
        p->finished = true;
        p->result = RespResult{false, {}, why};
        p->done.cancel();
    }
    boost::system::error_code ignored;
    stream_.next_layer().close(ignored);
    wake_.cancel();
}

void RedisConnection::fail(const std::string &what) {
    if (state_ != State::broken) close("Redis " + endpoint_->host + ":" + std::to_string(endpoint_->port) + ": " + what);
}

std::string RedisConnection::prepare_tls() {
    SSL *ssl = stream_.native_handle();
    const std::string &name = endpoint_->server_name;
    boost::system::error_code not_an_address;
    static_cast<void>(asio::ip::make_address(name, not_an_address));
    const bool address = !not_an_address;
    // SNI carries names only, never addresses (RFC 6066).
    if (!address && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                             const_cast<char *>(name.c_str())) != 1) // SSL_set_tlsext_host_name, without its C cast
        return "TLS: cannot set the server name " + name;
    // OpenSSL checks the name while it verifies the chain, so a mismatch
    // fails the handshake with its own verify result.
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if ((address ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                 : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size())) != 1)
        return "TLS: cannot check the server name " + name;
    stream_.set_verify_mode(asio::ssl::verify_peer);
    return {};
}

std::string RedisConnection::handshake_failure(const boost::system::error_code &error) {
    std::string what = "TLS handshake failed: " + error.message();
    const long verify = SSL_get_verify_result(stream_.native_handle());
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
        what += " (the server's certificate is not for '" + endpoint_->server_name +
                "'; server_name sets the name to expect)";
    else if (verify != X509_V_OK)
        what += " (the server's certificate: " + std::string(X509_verify_cert_error_string(verify)) +
                "; ca_file must hold the CA that signed it)";
    return what;
}

asio::awaitable<void> RedisConnection::run() {
    auto self = shared_from_this();
    const auto use = asio::as_tuple(asio::use_awaitable);
    asio::ip::tcp::resolver resolver(executor_);
    const auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(endpoint_->host, std::to_string(endpoint_->port), use);
    if (resolve_error) co_return fail(resolve_error.message());
    if (state_ == State::broken) co_return;
    const auto [connect_error, connected] = co_await asio::async_connect(stream_.next_layer(), endpoints, use);
    if (connect_error) co_return fail(connect_error.message());
    if (state_ == State::broken) co_return;
    boost::system::error_code ignored;
    stream_.next_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
    if (endpoint_->tls) {
        if (const auto problem = prepare_tls(); !problem.empty()) co_return fail(problem);
        const auto [handshake_error] = co_await stream_.async_handshake(asio::ssl::stream_base::client, use);
        if (handshake_error) co_return fail(handshake_failure(handshake_error));
        if (state_ == State::broken) co_return;
    }
    state_ = State::open;
    asio::co_spawn(executor_, write_loop(), asio::detached);
    co_await read_loop();
}

asio::awaitable<void> RedisConnection::read_loop() {
    auto self = shared_from_this();
    const auto use = asio::as_tuple(asio::use_awaitable);
    std::vector<char> buffer(16384);
    while (state_ == State::open) {
        boost::system::error_code ec;
        std::size_t n = 0;
        if (endpoint_->tls)
            std::tie(ec, n) = co_await stream_.async_read_some(asio::buffer(buffer), use);
        else
            std::tie(ec, n) = co_await stream_.next_layer().async_read_some(asio::buffer(buffer), use);
        if (ec) co_return fail(ec == asio::error::eof ? std::string("connection closed by the server") : ec.message());
        if (redisReaderFeed(reader_, buffer.data(), n) != REDIS_OK) co_return fail("reply too large");
        for (;;) {
            void *reply = nullptr;
            if (redisReaderGetReply(reader_, &reply) != REDIS_OK) co_return fail("protocol error");
            if (reply == nullptr) break;
            RespValue value = copy_reply(*static_cast<redisReply *>(reply));
            freeReplyObject(reply);
            deliver(std::move(value));
            if (state_ != State::open) co_return;
        }
    }
}

asio::awaitable<void> RedisConnection::write_loop() {
    auto self = shared_from_this();
    while (state_ == State::open) {
        if (outbox_.empty()) {
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        std::string out;
        out.swap(outbox_);
        boost::system::error_code ec;
        if (endpoint_->tls)
            std::tie(ec, std::ignore) =
                co_await asio::async_write(stream_, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
        else
            std::tie(ec, std::ignore) =
                co_await asio::async_write(stream_.next_layer(), asio::buffer(out), asio::as_tuple(asio::use_awaitable));
        if (ec && state_ != State::broken) close("Redis write failed: " + ec.message());
    }
}

} // namespace helix::redis
