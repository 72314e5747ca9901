// The event-stream codec against every vector in testdata/eventstream (see
// its README for sources, JSON conventions and errata), plus streaming,
// limits, sticky errors and the encoder.
//   aws_sdk_go_positive/<name>   decodes to exactly the decoded JSON, re-encodes byte for byte
//   aws_sdk_go_negative/<name>   rejected with the expected error
//   smithy_rs/<name>             as the README's table says
#define BOOST_TEST_MODULE plugins_aws_common_event_stream
#include <boost/test/unit_test.hpp>

#include "plugins/aws_common/event_stream.hpp"
#include "test_support.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

using namespace helix::aws;
using namespace helix::aws::test;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Allocation probe: the largest single allocation since the last reset, to
// show that a prelude's declared length is not allocated up front.

namespace {
std::atomic<std::size_t> g_largest_allocation{0};
void note_allocation(std::size_t size) noexcept {
    std::size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
    while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
    }
}
void *allocate(std::size_t size) {
    note_allocation(size);
    if (void *p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
} // namespace

void *operator new(std::size_t size) { return allocate(size); }
void *operator new[](std::size_t size) { return allocate(size); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }

namespace {

fs::path es_dir() { return testdata_dir() / "eventstream"; }

std::string base64_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : in) {
        if (c == '=') break;
        const int v = value(c);
        if (v < 0) throw std::runtime_error("bad base64");
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xffu);
        }
    }
    return out;
}

std::uint32_t be32(std::string_view bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
}

std::string be32_bytes(std::uint32_t v) {
    std::string out;
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xffu);
    return out;
}

// A 12-byte prelude with a correct CRC.
std::string prelude(std::uint32_t total_length, std::uint32_t headers_length) {
    std::string p = be32_bytes(total_length) + be32_bytes(headers_length);
    // CRC-32 computed through the encoder: encode nothing and reuse its
    // implementation would hide a shared bug, so compute it here directly.
    std::uint32_t crc = 0xffffffffu;
    for (const char ch : p) {
        crc ^= static_cast<unsigned char>(ch);
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return p + be32_bytes(~crc);
}

struct Decoded {
    std::vector<Message> messages;
    bool ok = false;
    DecodeFailure error;
};

Decoded decode_all(std::string_view bytes, DecoderOptions options = {}) {
    EventStreamDecoder decoder(options);
    Decoded d;
    d.ok = decoder.feed(bytes, d.messages) && decoder.finish();
    d.error = decoder.error();
    return d;
}

std::string encode(const Message &m) {
    std::string out;
    const EncodeError e = encode_message(m, out);
    BOOST_TEST(e == EncodeError::none);
    return out;
}

// Compares a decoded message with aws-sdk-go's decoded JSON.
void check_against_json(const std::string &frame, const Message &m, const boost::json::object &want) {
    BOOST_TEST(frame.size() == static_cast<std::size_t>(want.at("total_length").as_int64()));
    BOOST_TEST(be32(frame, 4) == static_cast<std::uint32_t>(want.at("headers_length").as_int64()));
    // CRCs are printed as signed 32-bit ints.
    BOOST_TEST(be32(frame, 8) == static_cast<std::uint32_t>(want.at("prelude_crc").as_int64()));
    BOOST_TEST(be32(frame, frame.size() - 4) == static_cast<std::uint32_t>(want.at("message_crc").as_int64()));
    BOOST_TEST(m.payload == base64_decode(want.at("payload").as_string()));
    const auto &headers = want.at("headers").as_array();
    BOOST_TEST_REQUIRE(m.headers.size() == headers.size());
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const auto &h = headers[i].as_object();
        const auto &got = m.headers[i];
        BOOST_TEST_CONTEXT("header " << i << " " << got.name) {
            BOOST_TEST(got.name == std::string(h.at("name").as_string()));
            const auto type = static_cast<int>(h.at("type").as_int64());
            BOOST_TEST(static_cast<int>(header_type(got.value)) == type);
            const auto &v = h.at("value");
            switch (type) {
            case 0:
            case 1: BOOST_TEST(std::get<bool>(got.value) == v.as_bool()); break;
            case 2: BOOST_TEST(std::get<std::int8_t>(got.value) == v.as_int64()); break;
            case 3: BOOST_TEST(std::get<std::int16_t>(got.value) == v.as_int64()); break;
            case 4: BOOST_TEST(std::get<std::int32_t>(got.value) == v.as_int64()); break;
            case 5: BOOST_TEST(std::get<std::int64_t>(got.value) == v.as_int64()); break;
            case 6: {
                const auto &b = std::get<ByteArray>(got.value);
                BOOST_TEST(std::string(b.begin(), b.end()) == base64_decode(v.as_string()));
                break;
            }
            case 7: BOOST_TEST(std::get<std::string>(got.value) == base64_decode(v.as_string())); break;
            case 8: BOOST_TEST(std::get<Timestamp>(got.value).ms_since_epoch == v.as_int64()); break;
            case 9: {
                const auto &u = std::get<Uuid>(got.value).bytes;
                BOOST_TEST(std::string(u.begin(), u.end()) == base64_decode(v.as_string()));
                break;
            }
            default: BOOST_FAIL("unknown type in the JSON");
            }
        }
    }
}

void run_go_positive(const std::string &name) {
    const std::string frame = read_file(es_dir() / "aws-sdk-go" / "encoded" / "positive" / name);
    const auto want = boost::json::parse(read_file(es_dir() / "aws-sdk-go" / "decoded" / "positive" / name)).as_object();
    const Decoded d = decode_all(frame);
    BOOST_TEST_REQUIRE(d.ok, d.error.reason);
    BOOST_TEST_REQUIRE(d.messages.size() == 1u);
    check_against_json(frame, d.messages[0], want);
    BOOST_TEST(encode(d.messages[0]) == frame); // byte for byte
    Message one;
    BOOST_TEST(decode_message(frame, one) == frame.size());
    BOOST_TEST(one == d.messages[0]);
}

void run_go_negative(const std::string &name) {
    const std::string frame = read_file(es_dir() / "aws-sdk-go" / "encoded" / "negative" / name);
    std::string expected = read_file(es_dir() / "aws-sdk-go" / "decoded" / "negative" / name);
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
    const Decoded d = decode_all(frame);
    BOOST_TEST(!d.ok);
    BOOST_TEST(d.messages.empty());
    // "Prelude checksum mismatch" / "Message checksum mismatch"
    BOOST_TEST(lowercase(expected) == std::string(to_string(d.error.kind)), d.error.reason);
    // The prelude CRC is judged as soon as the prelude is in, without waiting
    // for total_length bytes (corrupted_length declares one more than it has).
    if (d.error.kind == DecodeError::prelude_checksum_mismatch) {
        EventStreamDecoder decoder;
        std::vector<Message> out;
        BOOST_TEST(!decoder.feed(std::string_view(frame).substr(0, kEventStreamPreludeBytes), out));
        BOOST_TEST(decoder.error().kind == DecodeError::prelude_checksum_mismatch);
        BOOST_TEST(decoder.error().offset == 8u);
    }
}

std::vector<std::string> file_names(const fs::path &dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file()) out.push_back(it->path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// ---------------------------------------------------------------------------
// smithy-rs vectors, per the README's table.

Message smithy_all_headers_message() {
    Message m;
    m.headers.push_back({"true", true});
    m.headers.push_back({"false", false});
    m.headers.push_back({"byte", std::int8_t{50}});
    m.headers.push_back({"short", std::int16_t{20000}});
    m.headers.push_back({"int", std::int32_t{500000}});
    m.headers.push_back({"long", std::int64_t{50000000000}});
    m.headers.push_back({"bytes", ByteArray{'s', 'o', 'm', 'e', ' ', 'b', 'y', 't', 'e', 's'}});
    m.headers.push_back({"str", std::string("some str")});
    m.headers.push_back({"time", Timestamp{5'000'000'000}}); // 5,000,000 s
    m.headers.push_back({"uuid", Uuid{{0xb7, 0x9b, 0xc9, 0x14, 0xde, 0x21, 0x4e, 0x13, 0xb8, 0xb2, 0xbc, 0x47, 0xe8,
                                       0x5b, 0x7f, 0x0b}}});
    m.payload = "some payload";
    return m;
}

Message smithy_empty_payload_message() {
    Message m;
    m.headers.push_back({"some-header", std::int16_t{500}});
    return m;
}

Message smithy_no_headers_message() {
    Message m;
    m.payload = "another test payload";
    return m;
}

std::string smithy(const std::string &name) { return read_file(es_dir() / "smithy-rs" / name); }

void run_smithy_valid(const std::string &name, const Message &expected) {
    const std::string frame = smithy(name);
    const Decoded d = decode_all(frame);
    BOOST_TEST_REQUIRE(d.ok, d.error.reason);
    BOOST_TEST_REQUIRE(d.messages.size() == 1u);
    BOOST_TEST((d.messages[0] == expected));
    BOOST_TEST(encode(expected) == frame); // re-encoding reproduces the file
}

struct InvalidCase {
    const char *name;
    DecodeError decoder;          // what the streaming decoder reports (message CRC is checked first)
    DecodeError headers;          // what the header parser says about the headers section
    std::size_t header_error_at;  // offset of the offending field in the headers section
};

// Every invalid_* file but invalid_prelude_checksum has a correct prelude
// CRC and a wrong message CRC (they are mutated copies), so the decoder,
// checking the message CRC before parsing headers, reports that; the header
// parser, run on the headers section alone, gives the specific error the
// README lists.
const InvalidCase kInvalid[] = {
    {"invalid_prelude_checksum", DecodeError::prelude_checksum_mismatch, DecodeError::none, 0},
    {"invalid_message_checksum", DecodeError::message_checksum_mismatch, DecodeError::none, 0},
    {"invalid_header_value_type", DecodeError::message_checksum_mismatch, DecodeError::header_type_invalid, 18},
    {"invalid_header_name_length", DecodeError::message_checksum_mismatch, DecodeError::header_name_length_invalid, 13},
    {"invalid_header_name_length_too_long", DecodeError::message_checksum_mismatch,
     DecodeError::header_name_length_invalid, 6},
    {"invalid_header_string_value_length", DecodeError::message_checksum_mismatch, DecodeError::header_value_truncated,
     76},
    {"invalid_header_string_length_cut_off", DecodeError::message_checksum_mismatch,
     DecodeError::header_value_truncated, 76},
    {"invalid_headers_length", DecodeError::headers_length_invalid, DecodeError::none, 0},
};

void run_smithy_invalid(const InvalidCase &c) {
    const std::string frame = smithy(c.name);
    const Decoded d = decode_all(frame);
    BOOST_TEST(!d.ok);
    BOOST_TEST(d.messages.empty());
    BOOST_TEST(d.error.kind == c.decoder, d.error.reason);
    BOOST_TEST(d.error.frame_offset == 0u);
    if (c.decoder == DecodeError::prelude_checksum_mismatch) {
        BOOST_TEST(d.error.reason.find("0x8BB495FB") != std::string::npos, d.error.reason);
        BOOST_TEST(d.error.reason.find("0xDEADBEEF") != std::string::npos, d.error.reason);
    }
    if (std::string_view(c.name) == "invalid_message_checksum") {
        BOOST_TEST(d.error.reason.find("0x01A05860") != std::string::npos, d.error.reason);
        BOOST_TEST(d.error.offset == frame.size() - 4);
    }
    if (c.headers != DecodeError::none) {
        // The frame is the first total_length bytes; the headers section is
        // bounded by headers_length.
        BOOST_TEST_REQUIRE(frame.size() >= be32(frame, 0));
        const std::string_view section = std::string_view(frame).substr(kEventStreamPreludeBytes, be32(frame, 4));
        std::vector<Header> headers;
        std::size_t at = 0;
        BOOST_TEST(decode_headers(section, headers, &at) == c.headers);
        BOOST_TEST(at == c.header_error_at);
    }
}

std::string concatenated_valid_frames() {
    return smithy("valid_with_all_headers_and_payload") + smithy("valid_empty_payload") + smithy("valid_no_headers");
}

struct RegisterVectors {
    RegisterVectors() {
        namespace utf = boost::unit_test;
        auto &master = utf::framework::master_test_suite();

        auto *positive = BOOST_TEST_SUITE("aws_sdk_go_positive");
        for (const auto &name : file_names(es_dir() / "aws-sdk-go" / "encoded" / "positive"))
            positive->add(utf::make_test_case([name] { run_go_positive(name); }, name, __FILE__, __LINE__));
        master.add(positive);

        auto *negative = BOOST_TEST_SUITE("aws_sdk_go_negative");
        for (const auto &name : file_names(es_dir() / "aws-sdk-go" / "encoded" / "negative"))
            negative->add(utf::make_test_case([name] { run_go_negative(name); }, name, __FILE__, __LINE__));
        master.add(negative);

        auto *rs = BOOST_TEST_SUITE("smithy_rs");
        rs->add(utf::make_test_case(
            [] { run_smithy_valid("valid_with_all_headers_and_payload", smithy_all_headers_message()); },
            "valid_with_all_headers_and_payload", __FILE__, __LINE__));
        rs->add(utf::make_test_case([] { run_smithy_valid("valid_empty_payload", smithy_empty_payload_message()); },
                                    "valid_empty_payload", __FILE__, __LINE__));
        rs->add(utf::make_test_case([] { run_smithy_valid("valid_no_headers", smithy_no_headers_message()); },
                                    "valid_no_headers", __FILE__, __LINE__));
        for (const auto &c : kInvalid)
            rs->add(utf::make_test_case([c] { run_smithy_invalid(c); }, c.name, __FILE__, __LINE__));
        master.add(rs);
    }
} const register_vectors;

} // namespace

BOOST_AUTO_TEST_CASE(every_vector_is_registered) {
    BOOST_TEST(file_names(es_dir() / "aws-sdk-go" / "encoded" / "positive").size() == 5u);
    BOOST_TEST(file_names(es_dir() / "aws-sdk-go" / "encoded" / "negative").size() == 4u);
    BOOST_TEST(file_names(es_dir() / "aws-sdk-go" / "decoded" / "positive").size() == 5u);
    BOOST_TEST(file_names(es_dir() / "aws-sdk-go" / "decoded" / "negative").size() == 4u);
    std::size_t smithy_frames = 0;
    for (const auto &n : file_names(es_dir() / "smithy-rs"))
        if (n.starts_with("valid_") || n.starts_with("invalid_")) ++smithy_frames;
    BOOST_TEST(smithy_frames == 11u);
    BOOST_TEST(std::size(kInvalid) == 8u);
}

// ---------------------------------------------------------------------------
// Streaming

BOOST_AUTO_TEST_CASE(three_valid_frames_in_chunks_of_every_size) {
    const std::string stream = concatenated_valid_frames();
    const std::vector<Message> expected = {smithy_all_headers_message(), smithy_empty_payload_message(),
                                           smithy_no_headers_message()};
    for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
        BOOST_TEST_CONTEXT("chunk size " << chunk) {
            EventStreamDecoder decoder;
            std::vector<Message> got;
            for (std::size_t at = 0; at < stream.size(); at += chunk) {
                const std::size_t before = got.size();
                BOOST_TEST_REQUIRE(decoder.feed(std::string_view(stream).substr(at, chunk), got),
                                   decoder.error().reason);
                // Nothing is held back once a frame is complete.
                BOOST_TEST_REQUIRE(got.size() >= before);
            }
            BOOST_TEST(decoder.finish());
            BOOST_TEST(decoder.offset() == stream.size());
            BOOST_TEST(decoder.buffered() == 0u);
            BOOST_TEST_REQUIRE(got.size() == expected.size());
            for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST((got[i] == expected[i]));
        }
    }
}

BOOST_AUTO_TEST_CASE(messages_are_delivered_as_soon_as_their_last_byte_arrives) {
    const std::string stream = concatenated_valid_frames();
    const std::size_t first = be32(stream, 0);
    EventStreamDecoder decoder;
    std::vector<Message> got;
    BOOST_TEST(decoder.feed(std::string_view(stream).substr(0, first - 1), got));
    BOOST_TEST(got.empty());
    BOOST_TEST(decoder.buffered() == first - 1);
    BOOST_TEST(decoder.feed(std::string_view(stream).substr(first - 1, 1), got));
    BOOST_TEST(got.size() == 1u);
    BOOST_TEST(decoder.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(errors_are_sticky_with_reason_and_offset) {
    // A good frame, then aws-sdk-go's corrupted_payload, then a good frame.
    const std::string good = smithy("valid_no_headers");
    const std::string bad = read_file(es_dir() / "aws-sdk-go" / "encoded" / "negative" / "corrupted_payload");
    EventStreamDecoder decoder;
    std::vector<Message> got;
    BOOST_TEST(!decoder.feed(good + bad + good, got));
    BOOST_TEST(got.size() == 1u); // the frame before the error is delivered
    BOOST_TEST(decoder.error().kind == DecodeError::message_checksum_mismatch);
    BOOST_TEST(decoder.error().frame_offset == good.size());
    BOOST_TEST(decoder.error().offset == good.size() + bad.size() - 4);
    BOOST_TEST(!decoder.error().reason.empty());
    const DecodeFailure first = decoder.error();
    BOOST_TEST(!decoder.feed(good, got));
    BOOST_TEST(!decoder.finish());
    BOOST_TEST(got.size() == 1u);
    BOOST_TEST(decoder.error().kind == first.kind);
    BOOST_TEST(decoder.error().offset == first.offset);
}

BOOST_AUTO_TEST_CASE(end_of_stream_inside_a_frame_is_truncation) {
    const std::string frame = smithy("valid_no_headers");
    for (std::size_t cut = 1; cut < frame.size(); ++cut) {
        EventStreamDecoder decoder;
        std::vector<Message> got;
        BOOST_TEST(decoder.feed(std::string_view(frame).substr(0, cut), got));
        BOOST_TEST(!decoder.finish());
        BOOST_TEST(decoder.error().kind == DecodeError::truncated);
        BOOST_TEST(decoder.error().frame_offset == 0u);
        BOOST_TEST(decoder.error().offset == cut);
    }
    EventStreamDecoder empty;
    BOOST_TEST(empty.finish()); // no bytes at all is a clean end
}

// ---------------------------------------------------------------------------
// Limits

BOOST_AUTO_TEST_CASE(a_prelude_declaring_4_gib_is_rejected_without_allocating) {
    const std::string p = prelude(0xffffffffu, 0);
    EventStreamDecoder decoder; // default maximum: 16 MiB
    std::vector<Message> got;
    got.reserve(4);
    g_largest_allocation = 0;
    const bool ok = decoder.feed(p, got);
    const std::size_t largest = g_largest_allocation.load();
    BOOST_TEST(!ok);
    BOOST_TEST(decoder.error().kind == DecodeError::message_too_long);
    BOOST_TEST(decoder.error().offset == 0u);
    BOOST_TEST(largest < 1024u, "largest allocation " << largest); // the error text only
    // Byte by byte, too: rejected when the 12th byte arrives.
    EventStreamDecoder slow;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const bool fed = slow.feed(std::string_view(p).substr(i, 1), got);
        BOOST_TEST(fed == (i + 1 < p.size()));
    }
    BOOST_TEST(slow.error().kind == DecodeError::message_too_long);
}

BOOST_AUTO_TEST_CASE(a_raised_maximum_still_allocates_only_what_arrives) {
    DecoderOptions options;
    options.max_message_bytes = 0xffffffffu;
    EventStreamDecoder decoder(options);
    std::vector<Message> got;
    got.reserve(4);
    g_largest_allocation = 0;
    BOOST_TEST(decoder.feed(prelude(0xffffffffu, 0) + std::string(1000, 'x'), got));
    BOOST_TEST(g_largest_allocation.load() <= 64u * 1024u + 1u); // the initial reservation
    BOOST_TEST(decoder.buffered() == 1012u);
    BOOST_TEST(!decoder.finish());
    BOOST_TEST(decoder.error().kind == DecodeError::truncated);
}

BOOST_AUTO_TEST_CASE(maximum_message_size_is_configurable_and_inclusive) {
    BOOST_TEST(decode_all(prelude(16u * 1024u * 1024u + 1u, 0)).error.kind == DecodeError::message_too_long);
    {
        EventStreamDecoder decoder;
        std::vector<Message> got;
        BOOST_TEST(decoder.feed(prelude(16u * 1024u * 1024u, 0), got)); // exactly the maximum: waits for it
    }
    const std::string frame = smithy("valid_with_all_headers_and_payload"); // 150 bytes
    DecoderOptions small;
    small.max_message_bytes = frame.size();
    BOOST_TEST(decode_all(frame, small).ok);
    small.max_message_bytes = frame.size() - 1;
    const Decoded d = decode_all(frame, small);
    BOOST_TEST(d.error.kind == DecodeError::message_too_long);
    Message m;
    DecodeFailure f;
    BOOST_TEST(decode_message(frame, m, &f, small) == 0u);
    BOOST_TEST(f.kind == DecodeError::message_too_long);
}

BOOST_AUTO_TEST_CASE(prelude_length_checks) {
    BOOST_TEST(decode_all(prelude(15, 0)).error.kind == DecodeError::message_too_short);
    BOOST_TEST(decode_all(prelude(0, 0)).error.kind == DecodeError::message_too_short);
    BOOST_TEST(decode_all(prelude(100, 85)).error.kind == DecodeError::headers_length_invalid);
    BOOST_TEST(decode_all(prelude(100, 0xffffffffu)).error.kind == DecodeError::headers_length_invalid);
    BOOST_TEST(decode_all(prelude(200000, 128u * 1024u + 1u)).error.kind == DecodeError::headers_too_long);
    DecoderOptions options;
    options.max_headers_bytes = 10;
    BOOST_TEST(decode_all(smithy("valid_with_all_headers_and_payload"), options).error.kind ==
               DecodeError::headers_too_long);
}

// ---------------------------------------------------------------------------
// Headers and the encoder

BOOST_AUTO_TEST_CASE(every_header_type_round_trips) {
    Message m;
    m.headers.push_back({"t", true});
    m.headers.push_back({"f", false});
    m.headers.push_back({"i8", std::int8_t{-128}});
    m.headers.push_back({"i16", std::int16_t{-32768}});
    m.headers.push_back({"i32", std::int32_t{-2147483647 - 1}});
    m.headers.push_back({"i64", std::int64_t{-9223372036854775807LL - 1}});
    m.headers.push_back({"bytes", ByteArray{0, 1, 2, 0xff}});
    m.headers.push_back({"empty", std::string()});
    m.headers.push_back({"str", std::string("h\xc3\xa9llo")});
    m.headers.push_back({"ts", Timestamp{-1}});
    m.headers.push_back({"id", Uuid{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}});
    m.headers.push_back({"str", std::string("repeated names are kept")});
    m.headers.push_back({std::string(255, 'n'), std::string(65535, 'v')});
    m.payload = std::string("\0binary\xff", 8);
    const std::string frame = encode(m);
    const Decoded d = decode_all(frame);
    BOOST_TEST_REQUIRE(d.ok, d.error.reason);
    BOOST_TEST_REQUIRE(d.messages.size() == 1u);
    BOOST_TEST((d.messages[0] == m));
    BOOST_TEST(d.messages[0].string_header("str").value() == "h\xc3\xa9llo"); // the first one
    BOOST_TEST(!d.messages[0].string_header("i8").has_value());
    BOOST_TEST(!d.messages[0].string_header("missing").has_value());
    BOOST_TEST(header_type(d.messages[0].find("ts")->value) == HeaderType::timestamp);
}

BOOST_AUTO_TEST_CASE(encoder_refuses_what_cannot_be_framed) {
    std::string out = "kept";
    Message m;
    m.headers.push_back({"", true});
    BOOST_TEST(encode_message(m, out) == EncodeError::header_name_empty);
    m.headers = {{std::string(256, 'n'), true}};
    BOOST_TEST(encode_message(m, out) == EncodeError::header_name_too_long);
    m.headers = {{"s", std::string(65536, 'v')}};
    BOOST_TEST(encode_message(m, out) == EncodeError::header_value_too_long);
    m.headers = {{"b", ByteArray(65536, 1)}};
    BOOST_TEST(encode_message(m, out) == EncodeError::header_value_too_long);
    m.headers = {};
    m.payload = std::string(100, 'p');
    DecoderOptions limits;
    limits.max_message_bytes = 115;
    BOOST_TEST(encode_message(m, out, limits) == EncodeError::message_too_long);
    limits.max_message_bytes = 116;
    BOOST_TEST(encode_message(m, out, limits) == EncodeError::none);
    BOOST_TEST(out.size() == 4u + 116u);
    BOOST_TEST(out.substr(0, 4) == "kept"); // appends
    m.headers = {{"h", std::string(200, 'v')}};
    limits.max_headers_bytes = 100;
    limits.max_message_bytes = 1000;
    const std::size_t before = out.size();
    BOOST_TEST(encode_message(m, out, limits) == EncodeError::headers_too_long);
    BOOST_TEST(out.size() == before); // unchanged on error
}

BOOST_AUTO_TEST_CASE(bedrock_event_and_exception_frames) {
    const Message event = make_event_message("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})");
    const Message exception = make_exception_message("throttlingException", R"({"message":"slow down"})");
    const Decoded d = decode_all(encode(event) + encode(exception));
    BOOST_TEST_REQUIRE(d.ok, d.error.reason);
    BOOST_TEST_REQUIRE(d.messages.size() == 2u);
    BOOST_TEST(d.messages[0].string_header(":message-type").value() == "event");
    BOOST_TEST(d.messages[0].string_header(":event-type").value() == "contentBlockDelta");
    BOOST_TEST(d.messages[0].string_header(":content-type").value() == "application/json");
    BOOST_TEST(d.messages[0].payload == event.payload);
    BOOST_TEST(d.messages[1].string_header(":message-type").value() == "exception");
    BOOST_TEST(d.messages[1].string_header(":exception-type").value() == "throttlingException");
}

BOOST_AUTO_TEST_CASE(header_parser_never_reads_outside_its_section) {
    // Every prefix of a valid headers section either parses or fails with an
    // offset within it (at most its end, where a missing field would start);
    // under ASan an over-read would be caught.
    const std::string frame = smithy("valid_with_all_headers_and_payload");
    const std::string section = frame.substr(kEventStreamPreludeBytes, be32(frame, 4));
    for (std::size_t len = 0; len <= section.size(); ++len) {
        const std::string copy = section.substr(0, len); // exact-size allocation
        std::vector<Header> headers;
        std::size_t at = 0;
        const DecodeError e = decode_headers(copy, headers, &at);
        if (e != DecodeError::none) BOOST_TEST(at <= len);
    }
    std::vector<Header> headers;
    BOOST_TEST(decode_headers(section, headers) == DecodeError::none);
    BOOST_TEST(headers.size() == 10u);
}

BOOST_AUTO_TEST_CASE(one_shot_decode_returns_the_frame_length) {
    const std::string stream = concatenated_valid_frames();
    Message m;
    const std::size_t n = decode_message(stream, m);
    BOOST_TEST(n == 150u);
    BOOST_TEST((m == smithy_all_headers_message()));
    DecodeFailure f;
    BOOST_TEST(decode_message(std::string_view(stream).substr(0, 149), m, &f) == 0u);
    BOOST_TEST(f.kind == DecodeError::truncated);
    BOOST_TEST(decode_message(std::string_view(stream).substr(0, 5), m, &f) == 0u);
    BOOST_TEST(f.kind == DecodeError::truncated);
}

BOOST_AUTO_TEST_CASE(error_names) {
    BOOST_TEST(to_string(DecodeError::prelude_checksum_mismatch) == "prelude checksum mismatch");
    BOOST_TEST(to_string(DecodeError::message_checksum_mismatch) == "message checksum mismatch");
    BOOST_TEST(to_string(EncodeError::none) == "no error");
}
