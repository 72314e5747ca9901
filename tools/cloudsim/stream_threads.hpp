#pragma once
// The threads that serve HTTP/2 streams: one each, started on demand and
// gone when the stream is served, up to a maximum. Unlike POCO's ThreadPool
// (which the connections use), starting one neither waits for the thread to
// run nor walks the list of every thread: a connection thread hands out its
// streams at once even while thousands are open and the machine is busy.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

namespace helix::cloudsim {

class StreamThreads {
public:
    StreamThreads(std::size_t max_threads, std::size_t stack_bytes);
    ~StreamThreads(); // join_all()
    StreamThreads(const StreamThreads &) = delete;
    StreamThreads &operator=(const StreamThreads &) = delete;

    // Runs `work` on a new thread; false when max_threads are running or
    // no thread could be started.
    bool start(std::function<void()> work);
    // Waits until every work started has returned.
    void join_all();
    std::size_t running() const;

private:
    void done();

    const std::size_t max_;
    const std::size_t stack_bytes_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::size_t running_ = 0;
};

} // namespace helix::cloudsim
