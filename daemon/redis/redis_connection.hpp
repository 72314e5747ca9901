#pragma once
// One pipelined connection to Redis, living on one event loop: commands are
// written as they come (hiredis's redisFormatCommandArgv as the encoder) and
// replies are matched to them in order (hiredis's redisReader as the
// decoder); the socket is the loop's own Asio socket, plain or TLS. Nothing
// blocks and no thread is involved. Every member is used on the loop only.
//
// A call that gets no reply within its timeout breaks the connection (Redis
// stopped or overloaded: later replies cannot be trusted to come), failing
// every call waiting on it; the next call makes a new connection.

#include "daemon/redis/resp_value.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

struct redisReader;

namespace helix::redis {

// Where and how to connect: shared by every loop's connection.
struct RedisEndpoint {
    std::string host;
    std::uint16_t port = 6379;
    std::string user;     // empty: AUTH with the password alone
    std::string password; // empty: no AUTH
    bool tls = false;
    std::string server_name; // with tls: the name (or address) its certificate must carry, sent as SNI
    std::uint32_t db = 0;
    std::shared_ptr<boost::asio::ssl::context> tls_context; // always set (unused without tls)
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
public:
    RedisConnection(boost::asio::any_io_executor executor, std::shared_ptr<const RedisEndpoint> endpoint);
    ~RedisConnection();
    RedisConnection(const RedisConnection &) = delete;
    RedisConnection &operator=(const RedisConnection &) = delete;

    // One command, on the connection's loop. Connects on first use.
    boost::asio::awaitable<RespResult> call(std::vector<std::string> argv, std::chrono::milliseconds timeout);
    bool broken() const noexcept { return state_ == State::broken; }
    // Fails every waiting call with `why` and closes the socket.
    void close(const std::string &why);
    const boost::asio::any_io_executor &executor() const noexcept { return executor_; }

private:
    struct Pending {
        explicit Pending(const boost::asio::any_io_executor &executor) : done(executor) {}
        boost::asio::steady_timer done; // cancelled when the result is in
        bool finished = false;
        bool internal = false; // AUTH or SELECT: an error reply breaks the connection
        RespResult result;
    };
    enum class State { idle, connecting, open, broken };

    void enqueue(const std::vector<std::string> &argv, std::shared_ptr<Pending> pending);
    void deliver(RespValue value);
    void fail(const std::string &what);
    // SNI and the name to verify; a failure's text, or empty.
    std::string prepare_tls();
    std::string handshake_failure(const boost::system::error_code &error);
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> write_loop();

    boost::asio::any_io_executor executor_;
    std::shared_ptr<const RedisEndpoint> endpoint_;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
    boost::asio::steady_timer wake_; // the writer waits on it while the outbox is empty
    std::string outbox_;
    std::deque<std::shared_ptr<Pending>> pending_;
    State state_ = State::idle;
    redisReader *reader_;
};

} // namespace helix::redis
