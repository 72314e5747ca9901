#define BOOST_TEST_MODULE read_chunk
#include <boost/test/unit_test.hpp>

// The upstream body chunk: one page for a stream's small reads, growing to
// 16 KiB only while reads fill it.

#include "daemon/transport/read_chunk.hpp"

using helix::transport::ReadChunk;

BOOST_AUTO_TEST_CASE(it_starts_at_one_page_and_small_reads_keep_it_there) {
    ReadChunk chunk;
    BOOST_TEST(chunk.size() == 4u * 1024);
    for (int i = 0; i < 100; ++i) BOOST_TEST(!chunk.after_read(300)); // a token stream
    BOOST_TEST(chunk.size() == 4u * 1024);
    BOOST_TEST(!chunk.after_read(0));
    BOOST_TEST(chunk.size() == 4u * 1024);
}

BOOST_AUTO_TEST_CASE(full_reads_double_it_up_to_16_KiB) {
    ReadChunk chunk;
    BOOST_TEST(chunk.after_read(chunk.size()));
    BOOST_TEST(chunk.size() == 8u * 1024);
    BOOST_TEST(chunk.after_read(chunk.size()));
    BOOST_TEST(chunk.size() == 16u * 1024);
    BOOST_TEST(!chunk.after_read(chunk.size()));
    BOOST_TEST(chunk.size() == 16u * 1024);
    chunk.data()[chunk.size() - 1] = 'x'; // all of it is writable
}

BOOST_AUTO_TEST_CASE(a_released_chunk_holds_no_memory_and_comes_back_at_its_size) {
    ReadChunk chunk;
    BOOST_TEST(!chunk.held()); // taken at the first read, not before
    chunk.data()[0] = 'x';
    BOOST_TEST(chunk.held());
    BOOST_TEST(chunk.after_read(chunk.size()));
    BOOST_TEST(!chunk.held()); // grown: the next read takes the larger one
    chunk.data()[chunk.size() - 1] = 'y';
    chunk.release(); // a held stream waits for its next token without it
    BOOST_TEST(!chunk.held());
    BOOST_TEST(chunk.size() == 8u * 1024);
    chunk.data()[chunk.size() - 1] = 'z';
    BOOST_TEST(chunk.held());
}
