#pragma once
// Where the body bytes of one upstream read land before the sink sees them.
// It starts at one page and doubles, up to 16 KiB, only when a read fills it:
// a held stream receives a few hundred bytes per token, so a fixed 16 KiB per
// stream was most of what 10,000 streams cost, while a large body still ends
// up read 16 KiB at a time. Between the tokens of a held stream it is
// released and taken again (at the same size) for the next read.

#include <algorithm>
#include <cstddef>
#include <memory>

namespace helix::transport {

class ReadChunk {
public:
    static constexpr std::size_t kInitial = 4 * 1024;
    static constexpr std::size_t kLargest = 16 * 1024;

    char *data() {
        if (!data_) data_ = std::make_unique_for_overwrite<char[]>(size_); // not zeroed: every read overwrites it
        return data_.get();
    }
    std::size_t size() const noexcept { return size_; }
    bool held() const noexcept { return data_ != nullptr; }
    // Gives the memory back until the next data().
    void release() noexcept { data_.reset(); }

    // After a read of `got` bytes into it; true when it grew.
    bool after_read(std::size_t got) {
        if (got < size_ || size_ >= kLargest) return false;
        size_ = std::min(kLargest, size_ * 2);
        data_.reset();
        return true;
    }

private:
    std::size_t size_ = kInitial;
    std::unique_ptr<char[]> data_;
};

} // namespace helix::transport
