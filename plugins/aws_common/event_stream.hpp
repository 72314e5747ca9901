#pragma once
// application/vnd.amazon.eventstream: the binary framing of AWS event streams
// (Bedrock ConverseStream, InvokeModelWithResponseStream, and others).
//
// Frame (all integers big-endian):
//   total_length u32 | headers_length u32 | prelude_crc u32 |
//   headers (headers_length bytes) | payload | message_crc u32
// prelude_crc is the CRC-32 of the first 8 bytes, message_crc the CRC-32 of
// everything before it (zlib crc32); total_length = 12 + headers + payload + 4.
// Header: name_len u8 | name | type u8 | value, where type is
//   0 true, 1 false (no value bytes), 2 int8, 3 int16, 4 int32, 5 int64,
//   6 bytes (u16 length + bytes), 7 string (u16 length + UTF-8 bytes),
//   8 timestamp (int64 milliseconds since the epoch), 9 uuid (16 bytes).
//
// EventStreamDecoder is sans-I/O: feed() it whatever a read returned, split
// anywhere; it hands back every message those bytes complete. Checks, in the
// order a stream reveals them:
//   1. as soon as the 12-byte prelude has arrived: the prelude CRC, then
//      total_length >= 16, total_length <= max_message_bytes,
//      headers_length <= total_length - 16, headers_length <= max_headers_bytes.
//      Nothing is allocated for a frame before its prelude passed, and never
//      more than the frame's declared size (so at most max_message_bytes).
//   2. when the whole frame has arrived: the message CRC, then the headers
//      (every read bounded by the headers section).
// The first error is sticky: every later feed() returns false at once. The
// error carries a kind, a reason and the stream offset of the offending field.
//
// Header names and string values are kept as bytes: they are not checked to
// be UTF-8 (as aws-c-event-stream does not either).
//
// Not thread-safe; one decoder per stream. No I/O; zlib for CRC-32.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace helix::aws {

inline constexpr std::size_t kEventStreamPreludeBytes = 12;
inline constexpr std::size_t kEventStreamMinMessageBytes = 16; // prelude + message CRC
inline constexpr std::size_t kDefaultMaxEventStreamMessageBytes = 16u * 1024u * 1024u;
inline constexpr std::size_t kDefaultMaxEventStreamHeadersBytes = 128u * 1024u;

// The wire type ids.
enum class HeaderType : std::uint8_t {
    bool_true = 0,
    bool_false = 1,
    byte = 2,
    int16 = 3,
    int32 = 4,
    int64 = 5,
    byte_array = 6,
    string = 7,
    timestamp = 8,
    uuid = 9,
};

using ByteArray = std::vector<std::uint8_t>;

// Type 8: milliseconds since the Unix epoch.
struct Timestamp {
    std::int64_t ms_since_epoch = 0;
    friend bool operator==(const Timestamp &, const Timestamp &) = default;
};

// Type 9: the 16 bytes as sent.
struct Uuid {
    std::array<std::uint8_t, 16> bytes{};
    friend bool operator==(const Uuid &, const Uuid &) = default;
};

// bool covers types 0 and 1 (the value picks the type).
using HeaderValue =
    std::variant<bool, std::int8_t, std::int16_t, std::int32_t, std::int64_t, ByteArray, std::string, Timestamp, Uuid>;

HeaderType header_type(const HeaderValue &value) noexcept;

struct Header {
    std::string name;
    HeaderValue value;
    friend bool operator==(const Header &, const Header &) = default;
};

struct Message {
    std::vector<Header> headers; // in wire order; names may repeat
    std::string payload;         // raw bytes

    // The first header with this exact name, or nullptr.
    const Header *find(std::string_view name) const noexcept;
    // The value of the first header with this name if it is a string (type 7).
    std::optional<std::string_view> string_header(std::string_view name) const noexcept;

    friend bool operator==(const Message &, const Message &) = default;
};

// The messages AWS services send: ":message-type" event / exception, with
// ":event-type" / ":exception-type" and ":content-type" (string headers).
Message make_event_message(std::string_view event_type, std::string payload,
                           std::string_view content_type = "application/json");
Message make_exception_message(std::string_view exception_type, std::string payload,
                               std::string_view content_type = "application/json");

// ---------------------------------------------------------------------------
// Decoding

enum class DecodeError : std::uint8_t {
    none = 0,
    prelude_checksum_mismatch, // prelude CRC differs from the first 8 bytes' CRC
    message_too_short,         // total_length < 16
    message_too_long,          // total_length > max_message_bytes
    headers_length_invalid,    // headers_length > total_length - 16
    headers_too_long,          // headers_length > max_headers_bytes
    message_checksum_mismatch, // message CRC differs
    header_name_length_invalid, // zero, or the name runs past the headers section
    header_type_invalid,        // type byte > 9
    header_value_truncated,     // the value (or its length field) runs past the headers section
    truncated,                  // finish() with an incomplete frame pending
};

// A stable, human-readable name ("prelude checksum mismatch").
std::string_view to_string(DecodeError error) noexcept;

struct DecodeFailure {
    DecodeError kind = DecodeError::none;
    std::string reason;             // one sentence with the numbers involved
    std::uint64_t offset = 0;       // stream offset of the offending field
    std::uint64_t frame_offset = 0; // stream offset where the failing frame starts
};

struct DecoderOptions {
    // (Optional) Largest total_length accepted; checked from the prelude.
    std::size_t max_message_bytes = kDefaultMaxEventStreamMessageBytes;
    // (Optional) Largest headers_length accepted; checked from the prelude.
    std::size_t max_headers_bytes = kDefaultMaxEventStreamHeadersBytes;
};

class EventStreamDecoder {
public:
    explicit EventStreamDecoder(DecoderOptions options = {}) noexcept : options_(options) {}

    // Consumes all of `bytes`, appending every message they complete to
    // `out`. Returns false if the stream has failed (now or earlier); messages
    // completed before the failure in the same call are still appended.
    bool feed(std::string_view bytes, std::vector<Message> &out);
    bool feed(std::span<const std::uint8_t> bytes, std::vector<Message> &out);

    // The stream ended. Returns false if it has failed, or fails it with
    // DecodeError::truncated when a frame is incomplete.
    bool finish();

    bool failed() const noexcept { return error_.kind != DecodeError::none; }
    const DecodeFailure &error() const noexcept { return error_; }

    // Bytes consumed so far (the stream offset of the next byte).
    std::uint64_t offset() const noexcept { return offset_; }
    // Bytes of an incomplete frame held (0 between frames).
    std::size_t buffered() const noexcept { return have_prelude_ ? frame_.size() : prelude_fill_; }
    const DecoderOptions &options() const noexcept { return options_; }

private:
    bool check_prelude(const std::uint8_t *prelude, std::uint64_t frame_start);
    bool finish_frame(std::string_view frame, std::uint64_t frame_start, std::vector<Message> &out);
    void fail(DecodeError kind, std::string reason, std::uint64_t offset, std::uint64_t frame_offset);

    DecoderOptions options_;
    DecodeFailure error_;
    std::uint64_t offset_ = 0;
    std::array<std::uint8_t, kEventStreamPreludeBytes> prelude_{};
    std::size_t prelude_fill_ = 0;
    bool have_prelude_ = false; // prelude_ is complete and valid; frame_ collects the frame
    std::uint32_t total_length_ = 0;
    std::string frame_;
};

// Decodes the first frame of `bytes` (more may follow it). Returns the
// frame's length, or 0 on failure (a frame shorter than its declared
// total_length fails with DecodeError::truncated). failure->offset is
// relative to the start of `bytes`.
std::size_t decode_message(std::string_view bytes, Message &out, DecodeFailure *failure = nullptr,
                           const DecoderOptions &options = {});

// Parses a headers section (exactly headers_length bytes), appending to out.
// On failure returns the error and sets *error_offset to the offending
// field's offset within the section. Never reads outside `section`.
DecodeError decode_headers(std::string_view section, std::vector<Header> &out,
                           std::size_t *error_offset = nullptr);

// ---------------------------------------------------------------------------
// Encoding

enum class EncodeError : std::uint8_t {
    none = 0,
    header_name_empty,
    header_name_too_long,  // > 255 bytes
    header_value_too_long, // byte array or string > 65535 bytes
    headers_too_long,      // > max_headers_bytes
    message_too_long,      // > max_message_bytes
};

std::string_view to_string(EncodeError error) noexcept;

// Appends the frame for `message` to `out` (unchanged on error). Limits are
// the decoder's, so that whatever is encoded also decodes.
[[nodiscard]] EncodeError encode_message(const Message &message, std::string &out,
                                         const DecoderOptions &limits = {});

} // namespace helix::aws
