#include "daemon/transport/page_cache.hpp"

#include <array>

namespace helix::transport {

namespace {

// Plain data, so that it stays usable while the thread's destructors run
// (a buffer freed by one of them after the pages went is freed at once).
struct ThreadPages {
    std::array<void *, PageCache::max_kept> pages;
    std::size_t count;
    bool closed; // the thread is ending: nothing more is kept
};
thread_local ThreadPages pages{};

// Frees the kept pages when the thread ends.
struct PagesRelease {
    ~PagesRelease() {
        for (std::size_t i = 0; i < pages.count; ++i) ::operator delete(pages.pages[i]);
        pages.count = 0;
        pages.closed = true;
    }
};

void ensure_release() {
    thread_local PagesRelease release;
    (void)release;
}

} // namespace

void *PageCache::take() {
    if (pages.count > 0) return pages.pages[--pages.count];
    return ::operator new(page_size);
}

void PageCache::give(void *page) noexcept {
    if (page == nullptr) return;
    if (pages.closed || pages.count >= max_kept) {
        ::operator delete(page);
        return;
    }
    if (pages.count == 0) ensure_release();
    pages.pages[pages.count++] = page;
}

std::size_t PageCache::kept() noexcept { return pages.count; }

} // namespace helix::transport
