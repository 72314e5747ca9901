#pragma once
// One event loop on a thread of its own, for the shared state's work that no
// request waits for (settlements, spend kept while Redis was down, the poll
// of the providers' shared state). It outlives every Redis client, which
// only post to it; stopping it drops what is still queued.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace helix::redis {

class BackgroundLoop {
public:
    BackgroundLoop() : work_(context_.get_executor()), thread_([this] { context_.run(); }) {}
    ~BackgroundLoop() {
        work_.reset();
        context_.stop();
        thread_.join();
    }
    BackgroundLoop(const BackgroundLoop &) = delete;
    BackgroundLoop &operator=(const BackgroundLoop &) = delete;

    boost::asio::any_io_executor executor() { return context_.get_executor(); }

private:
    boost::asio::io_context context_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

} // namespace helix::redis
