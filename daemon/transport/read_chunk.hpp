#pragma once
// Where the body bytes of one upstream read land before the sink sees them.
// It starts at one page and doubles, up to 16 KiB, only when a read fills it:
// a held stream receives a few hundred bytes per token, so a fixed 16 KiB per
// stream was most of what 10,000 streams cost, while a large body still ends
// up read 16 KiB at a time. Between the tokens of a held stream it is
// released and taken again (at the same size) for the next read; a page
// comes from the thread's PageCache.

#include "daemon/transport/page_cache.hpp"

#include <algorithm>
#include <cstddef>

namespace helix::transport {

class ReadChunk {
public:
    static constexpr std::size_t kInitial = PageCache::page_size;
    static constexpr std::size_t kLargest = 16 * 1024;

    ReadChunk() = default;
    ReadChunk(const ReadChunk &) = delete;
    ReadChunk &operator=(const ReadChunk &) = delete;
    ~ReadChunk() { release(); }

    char *data() {
        if (!data_) data_ = allocator_.allocate(size_); // not zeroed: every read overwrites it
        return data_;
    }
    std::size_t size() const noexcept { return size_; }
    bool held() const noexcept { return data_ != nullptr; }
    // Gives the memory back until the next data().
    void release() noexcept {
        if (data_) allocator_.deallocate(data_, size_);
        data_ = nullptr;
    }

    // After a read of `got` bytes into it; true when it grew.
    bool after_read(std::size_t got) {
        if (got < size_ || size_ >= kLargest) return false;
        release();
        size_ = std::min(kLargest, size_ * 2);
        return true;
    }

private:
    std::size_t size_ = kInitial;
    char *data_ = nullptr;
    [[no_unique_address]] PageAllocator<char> allocator_;
};

} // namespace helix::transport
