#include "tools/cloudsim/stream_threads.hpp"

#include <pthread.h>

#include <memory>
#include <utility>

namespace helix::cloudsim {

namespace {

struct Job {
    std::function<void()> work;
    std::function<void()> done;
};

void *run_job(void *arg) {
    const std::unique_ptr<Job> job(static_cast<Job *>(arg));
    try {
        job->work();
    } catch (...) { // a stream's handler answers its own errors; nothing may escape a thread
    }
    job->done();
    return nullptr;
}

} // namespace

StreamThreads::StreamThreads(std::size_t max_threads, std::size_t stack_bytes)
    : max_(max_threads), stack_bytes_(stack_bytes) {}

StreamThreads::~StreamThreads() { join_all(); }

bool StreamThreads::start(std::function<void()> work) {
    {
        const std::lock_guard lock(mutex_);
        if (running_ >= max_) return false;
        ++running_;
    }
    auto job = std::make_unique<Job>(Job{std::move(work), [this] { done(); }});
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (stack_bytes_ > 0) pthread_attr_setstacksize(&attr, stack_bytes_);
    pthread_t thread{};
    const int rc = pthread_create(&thread, &attr, &run_job, job.get());
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        done();
        return false;
    }
    job.release(); // the thread owns it now
    return true;
}

void StreamThreads::done() {
    const std::lock_guard lock(mutex_);
    if (--running_ == 0) idle_.notify_all();
}

void StreamThreads::join_all() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return running_ == 0; });
}

std::size_t StreamThreads::running() const {
    const std::lock_guard lock(mutex_);
    return running_;
}

} // namespace helix::cloudsim
