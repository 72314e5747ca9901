#define BOOST_TEST_MODULE page_cache
#include <boost/test/unit_test.hpp>

// Read pages kept per thread: a freed page serves the thread's next read,
// up to max_kept of them, and other sizes bypass the cache.

#include "daemon/transport/page_cache.hpp"
#include "daemon/transport/read_chunk.hpp"

#include <cstring>
#include <thread>
#include <vector>

using helix::transport::PageAllocator;
using helix::transport::PageCache;
using helix::transport::PagedBuffer;
using helix::transport::ReadChunk;

namespace {

// Frees what this thread keeps, so each test starts from none.
void drain() {
    while (PageCache::kept() > 0) ::operator delete(PageCache::take());
}

} // namespace

BOOST_AUTO_TEST_CASE(a_freed_page_serves_the_next_take) {
    drain();
    void *first = PageCache::take();
    std::memset(first, 'a', PageCache::page_size); // all of it is writable
    PageCache::give(first);
    BOOST_TEST(PageCache::kept() == 1u);
    void *again = PageCache::take();
    BOOST_TEST(again == first);
    BOOST_TEST(PageCache::kept() == 0u);
    PageCache::give(again);
    PageCache::give(nullptr); // nothing to keep
    BOOST_TEST(PageCache::kept() == 1u);
}

BOOST_AUTO_TEST_CASE(a_thread_keeps_at_most_max_kept_pages) {
    std::vector<void *> taken;
    for (std::size_t i = 0; i < PageCache::max_kept + 10; ++i) taken.push_back(PageCache::take());
    for (void *page : taken) PageCache::give(page); // the ones beyond max_kept are freed
    BOOST_TEST(PageCache::kept() == PageCache::max_kept);
}

BOOST_AUTO_TEST_CASE(each_thread_has_its_own_pages) {
    void *mine = PageCache::take();
    PageCache::give(mine);
    std::size_t kept_there = 1;
    void *theirs = nullptr;
    std::thread other([&] {
        kept_there = PageCache::kept();
        theirs = PageCache::take(); // a new page: this thread kept none
        PageCache::give(theirs);
    }); // its kept page is freed as it ends (LeakSanitizer checks)
    other.join();
    BOOST_TEST(kept_there == 0u);
    BOOST_TEST(theirs != mine);
}

BOOST_AUTO_TEST_CASE(only_page_sized_allocations_are_cached) {
    drain();
    PageAllocator<char> allocator;
    char *large = allocator.allocate(3 * PageCache::page_size);
    allocator.deallocate(large, 3 * PageCache::page_size);
    BOOST_TEST(PageCache::kept() == 0u);
    char *page = allocator.allocate(PageCache::page_size);
    allocator.deallocate(page, PageCache::page_size);
    BOOST_TEST(PageCache::kept() == 1u);
}

// A buffer of one page, shrunk when its bytes are read and grown again for
// the next request, takes the same page back; one that grows past a page
// still works.
BOOST_AUTO_TEST_CASE(a_paged_buffer_reuses_its_page) {
    drain();
    PagedBuffer buffer;
    auto room = buffer.prepare(PageCache::page_size);
    const void *first = room.data();
    buffer.commit(10);
    buffer.consume(10);
    buffer.shrink_to_fit();
    BOOST_TEST(buffer.capacity() == 0u);
    BOOST_TEST(buffer.prepare(PageCache::page_size).data() == first);
    buffer.commit(PageCache::page_size);
    std::memset(buffer.prepare(3 * PageCache::page_size).data(), 'b', 3 * PageCache::page_size);
    buffer.commit(3 * PageCache::page_size);
    BOOST_TEST(buffer.size() == 4 * PageCache::page_size);
}

BOOST_AUTO_TEST_CASE(a_read_chunk_takes_its_first_page_from_the_cache) {
    drain();
    void *page = PageCache::take();
    PageCache::give(page);
    ReadChunk chunk;
    BOOST_TEST(static_cast<void *>(chunk.data()) == page);
    chunk.release();
    BOOST_TEST(static_cast<void *>(PageCache::take()) == page);
    PageCache::give(page);
}
