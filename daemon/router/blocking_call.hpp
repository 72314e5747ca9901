#pragma once
// Runs a function that may block (a plugin's prepare(), which may refresh a
// token through a side request) on another executor, the worker pool, and
// resumes the awaiting coroutine on its own executor with the result. An
// event loop never blocks; the pool is small because such calls are short
// and rare next to the streams the loops carry.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace helix::router {

template <class F>
boost::asio::awaitable<std::invoke_result_t<F &>> blocking_call(boost::asio::any_io_executor pool, F f) {
    using Result = std::invoke_result_t<F &>;
    co_return co_await boost::asio::co_spawn(
        pool, [&f]() -> boost::asio::awaitable<Result> { co_return f(); }, boost::asio::use_awaitable);
}

} // namespace helix::router
