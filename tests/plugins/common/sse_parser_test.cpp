#define BOOST_TEST_MODULE plugins_common_sse_parser
#include <boost/test/unit_test.hpp>

#include "plugins/common/sse_parser.hpp"

#include <random>
#include <string>
#include <vector>

using helix::plugin_common::SseError;
using helix::plugin_common::SseEvent;
using helix::plugin_common::SseParser;

namespace {

// Each event as "event|data|id"; data newlines shown as \n.
std::string describe(const SseEvent &e) {
    std::string data;
    for (const char c : e.data) data += c == '\n' ? std::string("\\n") : std::string(1, c);
    return std::string(e.event) + "|" + data + "|" + std::string(e.id);
}

std::vector<std::string> parse_chunks(const std::vector<std::string> &chunks, bool *incomplete = nullptr,
                                      SseParser *use = nullptr) {
    SseParser own;
    SseParser &p = use != nullptr ? *use : own;
    std::vector<std::string> out;
    for (const auto &c : chunks) p.feed(c, [&](const SseEvent &e) { out.push_back(describe(e)); });
    const bool inc = p.finish();
    if (incomplete != nullptr) *incomplete = inc;
    return out;
}

std::vector<std::string> parse(const std::string &text, bool *incomplete = nullptr) {
    return parse_chunks({text}, incomplete);
}

std::vector<std::string> bytewise(const std::string &text) {
    std::vector<std::string> chunks;
    for (const char c : text) chunks.emplace_back(1, c);
    return parse_chunks(chunks);
}

std::vector<std::string> random_chunks(const std::string &text, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> size(0, 9); // empty chunks too
    std::vector<std::string> chunks;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = size(rng);
        chunks.push_back(text.substr(i, n));
        i += n;
    }
    return parse_chunks(chunks);
}

using Lines = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_CASE(parses_data_events_with_lf) {
    const Lines expected{"|hello|", "|world|"};
    BOOST_TEST(parse("data: hello\n\ndata: world\n\n") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(crlf_and_cr_line_endings_give_the_same_events) {
    const std::string lf = "event: a\ndata: x\ndata: y\nid: 7\n\ndata: z\n\n";
    std::string crlf, cr;
    for (const char c : lf) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        cr += c == '\n' ? '\r' : c;
    }
    const Lines expected{"a|x\\ny|7", "|z|7"};
    BOOST_TEST(parse(lf) == expected, boost::test_tools::per_element());
    BOOST_TEST(parse(crlf) == expected, boost::test_tools::per_element());
    BOOST_TEST(parse(cr) == expected, boost::test_tools::per_element());
    BOOST_TEST(bytewise(crlf) == expected, boost::test_tools::per_element());
    BOOST_TEST(bytewise(cr) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_crlf_split_between_chunks_is_one_line_end) {
    // "\r" ends one chunk, "\n" starts the next: no empty line (no early dispatch).
    const Lines events = parse_chunks({"data: a\r", "\ndata: b\r", "\n\r", "\n"});
    const Lines expected{"|a\\nb|"};
    BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(mixed_line_endings_in_one_stream) {
    const Lines expected{"|1|", "|2|", "|3|"};
    BOOST_TEST(parse("data: 1\r\n\r\ndata: 2\n\ndata: 3\r\r") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(comments_and_unknown_fields_are_ignored) {
    const Lines expected{"|x|"};
    BOOST_TEST(parse(": keep-alive\n\n:another\nfoo: bar\ndata: x\n\n") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(field_without_space_after_colon_and_only_one_space_removed) {
    const Lines expected{"ev|a\\n b|"};
    BOOST_TEST(parse("event:ev\ndata:a\ndata:  b\n\n") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_line_without_colon_is_a_field_with_empty_value) {
    // "data" alone appends an empty line; the event's data is "\nx".
    const Lines expected{"|\\nx|"};
    BOOST_TEST(parse("data\ndata: x\n\n") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_data_is_dispatched_but_no_data_is_not) {
    const Lines expected{"named||"};
    // The first block has only an event name: not dispatched, and its name is
    // reset, so it does not leak into the next event.
    BOOST_TEST(parse("event: lost\n\nevent: named\ndata:\n\n") == expected, boost::test_tools::per_element());
    const Lines expected2{"||"};
    BOOST_TEST(parse("event: lost\n\ndata\n\n") == expected2, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(id_persists_across_events_and_ignores_nul) {
    using namespace std::string_literals;
    const std::string text = "id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\ndata: c\n\nid\ndata: d\n\n"s;
    const Lines expected{"|a|1", "|b|1", "|c|1", "|d|"};
    BOOST_TEST(parse(text) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(retry_field_is_kept_when_numeric) {
    SseParser p;
    p.feed("retry: 1500\nretry: 12x\ndata: a\n\n", [](const SseEvent &) {});
    BOOST_TEST(p.retry_ms().has_value());
    BOOST_TEST(*p.retry_ms() == 1500u);
}

BOOST_AUTO_TEST_CASE(a_leading_bom_is_skipped_only_at_the_start) {
    const Lines expected{"|a|", "|b|"};
    BOOST_TEST(parse("\xEF\xBB\xBF" "data: a\n\ndata: b\n\n") == expected, boost::test_tools::per_element());
    BOOST_TEST(bytewise("\xEF\xBB\xBF" "data: a\n\ndata: b\n\n") == expected, boost::test_tools::per_element());
    // A BOM later is part of the field name: an unknown field.
    const Lines only_a{"|a|"};
    BOOST_TEST(parse("data: a\n\n\xEF\xBB\xBF" "data: b\n\n") == only_a, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(any_chunking_gives_the_same_events) {
    const std::string text =
        ": ping\r\nevent: message_start\r\ndata: {\"type\":\"message_start\"}\r\n\r\n"
        "event: content_block_delta\ndata: {\"a\":\n" "data: 1}\n\n"
        "data: caf\xC3\xA9 \xE2\x82\xAC\r\r"
        "id: 42\rdata: [DONE]\r\n\r\n";
    const Lines whole = parse(text);
    BOOST_TEST(whole.size() == 4u);
    BOOST_TEST(bytewise(text) == whole, boost::test_tools::per_element());
    for (unsigned seed = 1; seed <= 50; ++seed) BOOST_TEST(random_chunks(text, seed) == whole, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(finish_reports_an_incomplete_event_and_drops_it) {
    bool incomplete = false;
    const Lines expected{"|a|"};
    BOOST_TEST(parse("data: a\n\ndata: b\n", &incomplete) == expected, boost::test_tools::per_element());
    BOOST_TEST(incomplete);
    BOOST_TEST(parse("data: a\n\ndata: partial", &incomplete) == expected, boost::test_tools::per_element());
    BOOST_TEST(incomplete);
    BOOST_TEST(parse("data: a\n\n", &incomplete) == expected, boost::test_tools::per_element());
    BOOST_TEST(!incomplete);
    // A comment or a bare name without data is nothing pending.
    parse("data: a\n\nevent: x\n", &incomplete);
    BOOST_TEST(!incomplete);
}

BOOST_AUTO_TEST_CASE(an_event_over_the_limit_is_an_error_not_growth) {
    SseParser p(64);
    int events = 0;
    const auto count = [&](const SseEvent &) { ++events; };
    p.feed("data: small\n\n", count);
    BOOST_TEST(events == 1);
    // Many short data lines: the joined data grows past the limit.
    BOOST_CHECK_THROW(
        {
            for (int i = 0; i < 20; ++i) p.feed("data: 0123456789\n", count);
        },
        SseError);
    // The parser stays failed.
    BOOST_CHECK_THROW(p.feed("\n", count), SseError);
    BOOST_TEST(events == 1);

    // One endless line without a line end.
    SseParser q(64);
    BOOST_CHECK_THROW(
        {
            for (int i = 0; i < 20; ++i) q.feed("xxxxxxxxxx", count);
        },
        SseError);

    // A single chunk carrying an over-long line.
    SseParser r(64);
    BOOST_CHECK_THROW(r.feed("data: " + std::string(100, 'y') + "\n\n", count), SseError);

    // Exactly at the limit is fine.
    SseParser s(16);
    int got = 0;
    s.feed("data: 0123456789\n\n", [&](const SseEvent &e) {
        ++got;
        BOOST_TEST(e.data == "0123456789");
    });
    BOOST_TEST(got == 1);
}

BOOST_AUTO_TEST_CASE(data_views_are_exact_and_handler_exceptions_propagate) {
    SseParser p;
    BOOST_CHECK_THROW(p.feed("data: boom\n\n", [](const SseEvent &) { throw std::runtime_error("x"); }), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(parser_is_reusable_after_finish) {
    SseParser p;
    std::vector<std::string> out;
    const auto rec = [&](const SseEvent &e) { out.push_back(describe(e)); };
    p.feed("data: a\n", rec);
    BOOST_TEST(p.finish());
    p.feed("data: b\n\n", rec);
    const Lines expected{"|b|"};
    BOOST_TEST(out == expected, boost::test_tools::per_element());
}
