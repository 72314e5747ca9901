#pragma once
// When a loop whose connections were many has let most of them go, the
// memory they used (their buffers and coroutine frames) goes back to the
// system: glibc keeps freed heap otherwise, so the daemon's RSS would stay at
// the peak of the last burst of streams for good. Asked only after such a
// burst, so a steady trickle of connections never pays for the trim.

#include <cstddef>

namespace helix::http {

class TrimPolicy {
public:
    // At least this many connections closed since the last trim...
    static constexpr std::size_t kMinReleased = 256;

    void opened(std::size_t open) noexcept {
        if (open > peak_) peak_ = open;
    }
    // ...and at most a quarter of the peak still open: true once, then the
    // peak starts again from what is open.
    bool closed(std::size_t open) noexcept {
        if (peak_ < open + kMinReleased || open > peak_ / 4) return false;
        peak_ = open;
        return true;
    }

private:
    std::size_t peak_ = 0;
};

// Returns the heap's free memory to the system (malloc_trim).
void release_free_memory() noexcept;

} // namespace helix::http
