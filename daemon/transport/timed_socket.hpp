#pragma once
// Reads and waits on a socket bounded by a point in time. A timeout cancels
// the operation but leaves the socket open (the server answers 408 on it),
// and is reported as beast::error::timeout. wait_readable() waits until
// there is something to read (bytes, the peer's end, an error) without a
// buffer: a held stream between two tokens then keeps no read buffer.
// The awaiting coroutine's cancellation ends either at once
// (operation_aborted).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace helix::transport {

class TimedSocket {
public:
    using Clock = std::chrono::steady_clock;

    explicit TimedSocket(boost::asio::ip::tcp::socket &socket) : socket_(socket), timer_(socket.get_executor()) {}
    TimedSocket(const TimedSocket &) = delete;
    TimedSocket &operator=(const TimedSocket &) = delete;
    // A timer handler already queued when this goes must find nothing to do.
    ~TimedSocket() { ++*generation_; }

    boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read(boost::asio::mutable_buffer into,
                                                                                    Clock::time_point until);
    boost::asio::awaitable<boost::system::error_code> wait_readable(Clock::time_point until);

private:
    // Arms the timer for one operation; the returned flag says whether it expired.
    std::shared_ptr<bool> arm(Clock::time_point until);
    void disarm();

    boost::asio::ip::tcp::socket &socket_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<std::uint64_t> generation_ = std::make_shared<std::uint64_t>(0);
};

} // namespace helix::transport
