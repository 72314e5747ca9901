#include "tools/cloudsim/h2_stream.hpp"

#include <Poco/Net/HTTPResponse.h>
#include <Poco/String.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace helix::cloudsim {

namespace {

constexpr std::chrono::milliseconds kWaitSlice{250};

bool connection_specific(const std::string &name) {
    for (const char *n : {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}) {
        if (Poco::icompare(name, n) == 0) return true;
    }
    return false;
}

} // namespace

H2Waker::H2Waker() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("eventfd failed");
}

H2Waker::~H2Waker() { ::close(fd_); }

void H2Waker::mark(std::shared_ptr<H2Stream> stream) {
    std::lock_guard lock(mutex_);
    dirty_.push_back(std::move(stream));
    if (signalled_) return;
    signalled_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
}

std::vector<std::shared_ptr<H2Stream>> H2Waker::take() {
    std::lock_guard lock(mutex_);
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(fd_, &count, sizeof count);
    signalled_ = false;
    std::vector<std::shared_ptr<H2Stream>> alive;
    alive.reserve(dirty_.size());
    for (const auto &weak : dirty_)
        if (auto stream = weak.lock()) alive.push_back(std::move(stream));
    dirty_.clear();
    return alive;
}

void H2Stream::mark_locked(std::unique_lock<std::mutex> &lock) {
    lock.unlock();
    waker_->mark(shared_from_this());
}

void H2Stream::send_head(int status, H2Headers head) {
    std::unique_lock lock(mutex_);
    if (head_sent_ || closed_) return;
    head_sent_ = true;
    head_.emplace(status, std::move(head));
    mark_locked(lock);
}

bool H2Stream::head_sent() const {
    std::lock_guard lock(mutex_);
    return head_sent_;
}

bool H2Stream::write(const char *data, std::size_t size) {
    std::unique_lock lock(mutex_);
    while (size > 0) {
        changed_.wait_for(lock, kWaitSlice, [&] { return closed_ || reset_ || out_.size() - out_at_ < kMaxPending; });
        if (closed_ || reset_ || stop_requested()) return false;
        if (out_.size() - out_at_ >= kMaxPending) continue;
        const std::size_t n = std::min(size, kMaxPending - (out_.size() - out_at_));
        out_.append(data, n);
        data += n;
        size -= n;
        if (deferred_) {
            mark_locked(lock);
            lock.lock();
        }
    }
    return true;
}

void H2Stream::finish() {
    std::unique_lock lock(mutex_);
    if (finished_ || reset_ || closed_) return;
    finished_ = true;
    if (deferred_) mark_locked(lock);
}

void H2Stream::reset() {
    std::unique_lock lock(mutex_);
    if (reset_ || closed_) return;
    reset_ = true;
    changed_.notify_all();
    mark_locked(lock);
}

// Sleeps the whole wait: a stream's end wakes it (closed(), reset()), and a
// stopping simulator ends every connection, which closes its streams. (Waking
// every slice to look would cost each of 20,000 slow streams 4 context
// switches a second.)
bool H2Stream::wait(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return closed_ || reset_ || stop_requested(); });
    return !(closed_ || reset_ || stop_requested());
}

H2Stream::Pending H2Stream::take_pending() {
    std::lock_guard lock(mutex_);
    Pending p;
    if (closed_) return p;
    p.head = std::exchange(head_, std::nullopt);
    if (p.head) head_taken_ = true;
    p.reset = reset_ && !head_taken_;
    p.resume = deferred_ && (finished_ || reset_ || out_.size() > out_at_);
    if (p.resume) deferred_ = false;
    return p;
}

H2Stream::Body H2Stream::read_body(std::uint8_t *out, std::size_t size, std::size_t &taken) {
    std::lock_guard lock(mutex_);
    const std::size_t have = out_.size() - out_at_;
    taken = 0;
    if (have == 0) {
        if (reset_) return Body::reset;
        if (finished_) return Body::end;
        deferred_ = true;
        return Body::defer;
    }
    taken = std::min(size, have);
    std::memcpy(out, out_.data() + out_at_, taken);
    out_at_ += taken;
    if (out_at_ == out_.size()) {
        out_.clear();
        out_at_ = 0;
    }
    // Only a writer waiting for room is woken (write()); the handler sleeping
    // in wait() until its next token is not.
    if (have >= kMaxPending) changed_.notify_all();
    return finished_ && out_.empty() ? Body::end : Body::bytes;
}

void H2Stream::closed() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
}

bool H2Channel::wait(std::chrono::milliseconds duration) { return stream_.wait(duration); }

void H2Channel::reset() { stream_.reset(); }

void H2Channel::send_raw(int status, const Poco::Net::HTTPResponse &head, std::string_view content_type,
                         std::string_view body) {
    H2Headers headers;
    for (auto &[name, value] : h2_response_headers(head)) {
        if (name == "content-length" || name == "content-type") continue;
        headers.emplace_back(std::move(name), std::move(value));
    }
    headers.emplace_back("content-type", std::string(content_type));
    headers.emplace_back("content-length", std::to_string(body.size()));
    stream_.send_head(status, std::move(headers));
    if (!stream_.write(body.data(), body.size())) {
        stream_.reset();
        throw ConnectionAborted{};
    }
}

H2Headers h2_response_headers(const Poco::Net::HTTPResponse &head) {
    H2Headers out;
    for (const auto &[name, value] : head) {
        if (connection_specific(name)) continue;
        out.emplace_back(Poco::toLower(name), value);
    }
    return out;
}

} // namespace helix::cloudsim
