#pragma once
// The time one exchange may still take: each step (connect, a read) gets its
// own timeout, cut short by the whole exchange's deadline. When a step times
// out, which bound it was tells the caller what to report.

#include <algorithm>
#include <chrono>
#include <optional>

namespace helix::transport {

class ExchangeBudget {
public:
    using Clock = std::chrono::steady_clock;

    explicit ExchangeBudget(std::optional<Clock::time_point> deadline) : deadline_(deadline) {}

    // When a step that may take `timeout` must end.
    Clock::time_point until(std::chrono::milliseconds timeout) {
        const auto own = Clock::now() + timeout;
        by_deadline_ = deadline_ && *deadline_ <= own;
        return by_deadline_ ? *deadline_ : own;
    }
    // Whether the last step's bound was the deadline, not its own timeout.
    bool bound_by_deadline() const { return by_deadline_; }
    bool passed() const { return deadline_ && Clock::now() >= *deadline_; }

private:
    std::optional<Clock::time_point> deadline_;
    bool by_deadline_ = false;
};

} // namespace helix::transport
