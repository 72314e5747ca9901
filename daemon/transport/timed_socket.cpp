#include "daemon/transport/timed_socket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

namespace helix::transport {

namespace asio = boost::asio;
using boost::system::error_code;

std::shared_ptr<bool> TimedSocket::arm(Clock::time_point until) {
    const std::uint64_t generation = ++*generation_;
    auto expired = std::make_shared<bool>(false);
    timer_.expires_at(until);
    timer_.async_wait([expired, generation, current = generation_, &socket = socket_](const error_code &ec) {
        if (ec || *current != generation) return; // the operation completed first, or its owner is gone
        *expired = true;
        error_code ignored;
        socket.cancel(ignored);
    });
    return expired;
}

void TimedSocket::disarm() {
    ++*generation_;
    timer_.cancel();
}

asio::awaitable<std::pair<error_code, std::size_t>> TimedSocket::read(asio::mutable_buffer into,
                                                                      Clock::time_point until) {
    const auto expired = arm(until);
    auto [ec, n] = co_await socket_.async_read_some(into, asio::as_tuple(asio::use_awaitable));
    disarm();
    if (*expired && ec == asio::error::operation_aborted) ec = boost::beast::error::timeout;
    co_return std::pair{ec, n};
}

asio::awaitable<error_code> TimedSocket::wait_readable(Clock::time_point until) {
    const auto expired = arm(until);
    auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable));
    disarm();
    if (*expired && ec == asio::error::operation_aborted) ec = boost::beast::error::timeout;
    co_return ec;
}

} // namespace helix::transport
