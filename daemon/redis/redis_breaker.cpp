#include "daemon/redis/redis_breaker.hpp"

namespace helix::redis {

bool RedisBreaker::allow(Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    if (!open_) return true;
    if (now < retry_at_) return false;
    retry_at_ = now + open_for_; // one probe per period
    return true;
}

void RedisBreaker::succeeded() {
    const std::lock_guard lock(mutex_);
    in_a_row_ = 0;
    open_ = false;
}

void RedisBreaker::failed(Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    if (open_ || ++in_a_row_ >= failures_) {
        open_ = true;
        retry_at_ = now + open_for_;
    }
}

bool RedisBreaker::closed() const {
    const std::lock_guard lock(mutex_);
    return !open_;
}

} // namespace helix::redis
