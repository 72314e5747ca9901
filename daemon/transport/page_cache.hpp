#pragma once
// 4 KiB read pages kept per thread. Each request read its head into a
// fresh page on both sides (the client's and the upstream connection's
// buffer, the upstream read chunk) and gave it back once read, since a held
// stream must not keep one: a malloc and free of 4 KiB each time, which
// glibc serves from its bins, not its fast per-thread cache. A thread now
// keeps up to max_kept freed pages for its next reads, so a held stream
// still keeps none while a busy loop stops paying for them.
//
// PageAllocator hands a page-sized allocation (Beast's flat_buffer of one
// page) to the cache and anything else to operator new.

#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <new>

namespace helix::transport {

class PageCache {
public:
    static constexpr std::size_t page_size = 4 * 1024;
    static constexpr std::size_t max_kept = 32; // per thread: 128 KiB at most

    // A page (not zeroed): one this thread kept, or a new one.
    static void *take();
    // Back to this thread's pages, or freed when it keeps enough (or is ending).
    static void give(void *page) noexcept;
    // The pages this thread keeps now.
    static std::size_t kept() noexcept;
};

template <class T> class PageAllocator {
public:
    using value_type = T;

    PageAllocator() noexcept = default;
    template <class U> PageAllocator(const PageAllocator<U> &) noexcept {}

    T *allocate(std::size_t n) {
        if (n * sizeof(T) == PageCache::page_size) return static_cast<T *>(PageCache::take());
        return static_cast<T *>(::operator new(n * sizeof(T)));
    }
    void deallocate(T *p, std::size_t n) noexcept {
        if (n * sizeof(T) == PageCache::page_size)
            PageCache::give(p);
        else
            ::operator delete(p);
    }

    template <class U> bool operator==(const PageAllocator<U> &) const noexcept { return true; }
};

// A read buffer whose first page comes from the cache.
using PagedBuffer = boost::beast::basic_flat_buffer<PageAllocator<char>>;

} // namespace helix::transport
