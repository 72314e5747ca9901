#pragma once
// What the exchange's coroutines share: errors as values rather than
// exceptions (each is classified where it happens), and whether the
// awaiting coroutine was cancelled.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace helix::transport {

inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

inline boost::asio::awaitable<bool> was_cancelled() {
    const auto state = co_await boost::asio::this_coro::cancellation_state;
    co_return state.cancelled() != boost::asio::cancellation_type::none;
}

} // namespace helix::transport
