#include "plugins/aws_common/event_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

namespace helix::aws {

namespace {

// A frame buffer larger than this is released once its frame is done, so a
// single large frame does not pin memory for the rest of the stream.
constexpr std::size_t kKeepBufferCapacity = 256u * 1024u;
// Initial reservation for a frame that arrives in pieces; it then grows with
// the bytes that actually arrive (never beyond the declared total_length).
constexpr std::size_t kInitialFrameReserve = 64u * 1024u;

std::uint32_t crc32_of(const std::uint8_t *data, std::size_t size) noexcept {
    return static_cast<std::uint32_t>(::crc32_z(0, data, size));
}

std::uint32_t crc32_of(std::string_view bytes) noexcept {
    return crc32_of(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
}

std::uint64_t read_be(const std::uint8_t *p, std::size_t width) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | p[i];
    return v;
}

std::uint32_t read_be32(const std::uint8_t *p) noexcept { return static_cast<std::uint32_t>(read_be(p, 4)); }

void put_be(std::string &out, std::uint64_t v, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

const std::uint8_t *bytes_of(std::string_view s) noexcept { return reinterpret_cast<const std::uint8_t *>(s.data()); }

std::string hex32(std::uint32_t v) {
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

// Size of a header's value on the wire (after the type byte).
std::size_t value_wire_size(const HeaderValue &value) noexcept {
    switch (header_type(value)) {
    case HeaderType::bool_true:
    case HeaderType::bool_false: return 0;
    case HeaderType::byte: return 1;
    case HeaderType::int16: return 2;
    case HeaderType::int32: return 4;
    case HeaderType::int64:
    case HeaderType::timestamp: return 8;
    case HeaderType::byte_array: return 2 + std::get<ByteArray>(value).size();
    case HeaderType::string: return 2 + std::get<std::string>(value).size();
    case HeaderType::uuid: return 16;
    }
    return 0;
}

template <typename T> std::uint64_t as_u64(T v) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(v));
}

} // namespace

HeaderType header_type(const HeaderValue &value) noexcept {
    switch (value.index()) {
    case 0: return std::get<bool>(value) ? HeaderType::bool_true : HeaderType::bool_false;
    case 1: return HeaderType::byte;
    case 2: return HeaderType::int16;
    case 3: return HeaderType::int32;
    case 4: return HeaderType::int64;
    case 5: return HeaderType::byte_array;
    case 6: return HeaderType::string;
    case 7: return HeaderType::timestamp;
    default: return HeaderType::uuid;
    }
}

const Header *Message::find(std::string_view name) const noexcept {
    for (const auto &h : headers)
        if (h.name == name) return &h;
    return nullptr;
}

std::optional<std::string_view> Message::string_header(std::string_view name) const noexcept {
    const Header *h = find(name);
    if (h == nullptr) return std::nullopt;
    if (const auto *s = std::get_if<std::string>(&h->value)) return std::string_view(*s);
    return std::nullopt;
}

Message make_event_message(std::string_view event_type, std::string payload, std::string_view content_type) {
    Message m;
    m.headers.push_back({":event-type", std::string(event_type)});
    m.headers.push_back({":content-type", std::string(content_type)});
    m.headers.push_back({":message-type", std::string("event")});
    m.payload = std::move(payload);
    return m;
}

Message make_exception_message(std::string_view exception_type, std::string payload, std::string_view content_type) {
    Message m;
    m.headers.push_back({":exception-type", std::string(exception_type)});
    m.headers.push_back({":content-type", std::string(content_type)});
    m.headers.push_back({":message-type", std::string("exception")});
    m.payload = std::move(payload);
    return m;
}

std::string_view to_string(DecodeError error) noexcept {
    switch (error) {
    case DecodeError::none: return "no error";
    case DecodeError::prelude_checksum_mismatch: return "prelude checksum mismatch";
    case DecodeError::message_too_short: return "message too short";
    case DecodeError::message_too_long: return "message too long";
    case DecodeError::headers_length_invalid: return "headers length invalid";
    case DecodeError::headers_too_long: return "headers too long";
    case DecodeError::message_checksum_mismatch: return "message checksum mismatch";
    case DecodeError::header_name_length_invalid: return "header name length invalid";
    case DecodeError::header_type_invalid: return "header value type invalid";
    case DecodeError::header_value_truncated: return "header value truncated";
    case DecodeError::truncated: return "truncated message";
    }
    return "unknown error";
}

std::string_view to_string(EncodeError error) noexcept {
    switch (error) {
    case EncodeError::none: return "no error";
    case EncodeError::header_name_empty: return "header name empty";
    case EncodeError::header_name_too_long: return "header name longer than 255 bytes";
    case EncodeError::header_value_too_long: return "header value longer than 65535 bytes";
    case EncodeError::headers_too_long: return "headers too long";
    case EncodeError::message_too_long: return "message too long";
    }
    return "unknown error";
}

// ---------------------------------------------------------------------------
// Headers

DecodeError decode_headers(std::string_view section, std::vector<Header> &out, std::size_t *error_offset) {
    const std::uint8_t *p = bytes_of(section);
    const std::size_t size = section.size();
    std::size_t i = 0;
    auto failure = [&](DecodeError kind, std::size_t at) {
        if (error_offset != nullptr) *error_offset = at;
        return kind;
    };
    while (i < size) {
        const std::size_t header_start = i;
        const std::size_t name_len = p[i++];
        if (name_len == 0 || name_len > size - i) return failure(DecodeError::header_name_length_invalid, header_start);
        std::string name(section.substr(i, name_len));
        i += name_len;
        if (i == size) return failure(DecodeError::header_value_truncated, i);
        const std::size_t type_at = i;
        const std::uint8_t type = p[i++];
        const std::size_t left = size - i;
        auto fixed = [&](std::size_t width) -> bool { return width <= left; };
        HeaderValue value;
        switch (type) {
        case 0: value = true; break;
        case 1: value = false; break;
        case 2:
            if (!fixed(1)) return failure(DecodeError::header_value_truncated, i);
            value = static_cast<std::int8_t>(p[i]);
            i += 1;
            break;
        case 3:
            if (!fixed(2)) return failure(DecodeError::header_value_truncated, i);
            value = static_cast<std::int16_t>(static_cast<std::uint16_t>(read_be(p + i, 2)));
            i += 2;
            break;
        case 4:
            if (!fixed(4)) return failure(DecodeError::header_value_truncated, i);
            value = static_cast<std::int32_t>(read_be32(p + i));
            i += 4;
            break;
        case 5:
        case 8: {
            if (!fixed(8)) return failure(DecodeError::header_value_truncated, i);
            const auto v = static_cast<std::int64_t>(read_be(p + i, 8));
            if (type == 5)
                value = v;
            else
                value = Timestamp{v};
            i += 8;
            break;
        }
        case 6:
        case 7: {
            if (!fixed(2)) return failure(DecodeError::header_value_truncated, i);
            const std::size_t len = static_cast<std::size_t>(read_be(p + i, 2));
            if (len > left - 2) return failure(DecodeError::header_value_truncated, i);
            i += 2;
            if (type == 6)
                value = ByteArray(p + i, p + i + len);
            else
                value = std::string(section.substr(i, len));
            i += len;
            break;
        }
        case 9: {
            if (!fixed(16)) return failure(DecodeError::header_value_truncated, i);
            Uuid u;
            std::copy(p + i, p + i + 16, u.bytes.begin());
            value = u;
            i += 16;
            break;
        }
        default: return failure(DecodeError::header_type_invalid, type_at);
        }
        out.push_back(Header{std::move(name), std::move(value)});
    }
    return DecodeError::none;
}

// ---------------------------------------------------------------------------
// One frame

namespace {

struct PreludeCheck {
    DecodeError kind = DecodeError::none;
    std::string reason;
    std::size_t at = 0; // offset within the frame
    std::uint32_t total_length = 0;
    std::uint32_t headers_length = 0;
};

PreludeCheck check_prelude_bytes(const std::uint8_t *prelude, const DecoderOptions &options) {
    PreludeCheck c;
    c.total_length = read_be32(prelude);
    c.headers_length = read_be32(prelude + 4);
    const std::uint32_t declared_crc = read_be32(prelude + 8);
    const std::uint32_t computed_crc = crc32_of(prelude, 8);
    if (declared_crc != computed_crc) {
        c.kind = DecodeError::prelude_checksum_mismatch;
        c.reason = "prelude checksum mismatch: computed " + hex32(computed_crc) + ", frame says " + hex32(declared_crc);
        c.at = 8;
    } else if (c.total_length < kEventStreamMinMessageBytes) {
        c.kind = DecodeError::message_too_short;
        c.reason = "message too short: total_length " + std::to_string(c.total_length) + " < 16";
        c.at = 0;
    } else if (c.total_length > options.max_message_bytes) {
        c.kind = DecodeError::message_too_long;
        c.reason = "message too long: total_length " + std::to_string(c.total_length) + " exceeds the maximum " +
                   std::to_string(options.max_message_bytes);
        c.at = 0;
    } else if (c.headers_length > c.total_length - kEventStreamMinMessageBytes) {
        c.kind = DecodeError::headers_length_invalid;
        c.reason = "headers length invalid: headers_length " + std::to_string(c.headers_length) +
                   " > total_length " + std::to_string(c.total_length) + " - 16";
        c.at = 4;
    } else if (c.headers_length > options.max_headers_bytes) {
        c.kind = DecodeError::headers_too_long;
        c.reason = "headers too long: headers_length " + std::to_string(c.headers_length) + " exceeds the maximum " +
                   std::to_string(options.max_headers_bytes);
        c.at = 4;
    }
    return c;
}

struct FrameCheck {
    DecodeError kind = DecodeError::none;
    std::string reason;
    std::size_t at = 0;
};

// `frame` is exactly total_length bytes whose prelude passed.
FrameCheck decode_checked_frame(std::string_view frame, Message &out) {
    FrameCheck c;
    const std::size_t total = frame.size();
    const std::uint8_t *p = bytes_of(frame);
    const std::uint32_t declared_crc = read_be32(p + total - 4);
    const std::uint32_t computed_crc = crc32_of(p, total - 4);
    if (declared_crc != computed_crc) {
        c.kind = DecodeError::message_checksum_mismatch;
        c.reason = "message checksum mismatch: computed " + hex32(computed_crc) + ", frame says " + hex32(declared_crc);
        c.at = total - 4;
        return c;
    }
    const std::size_t headers_length = read_be32(p + 4);
    std::size_t at = 0;
    Message m;
    const DecodeError kind =
        decode_headers(frame.substr(kEventStreamPreludeBytes, headers_length), m.headers, &at);
    if (kind != DecodeError::none) {
        c.kind = kind;
        c.at = kEventStreamPreludeBytes + at;
        c.reason = std::string(to_string(kind)) + " at frame byte " + std::to_string(c.at);
        if (kind == DecodeError::header_name_length_invalid)
            c.reason += " (name length " + std::to_string(p[c.at]) + ", headers section ends at byte " +
                        std::to_string(kEventStreamPreludeBytes + headers_length) + ")";
        else if (kind == DecodeError::header_type_invalid)
            c.reason += " (type " + std::to_string(p[c.at]) + ")";
        return c;
    }
    const std::size_t payload_at = kEventStreamPreludeBytes + headers_length;
    m.payload.assign(frame.substr(payload_at, total - 4 - payload_at));
    out = std::move(m);
    return c;
}

} // namespace

std::size_t decode_message(std::string_view bytes, Message &out, DecodeFailure *failure,
                           const DecoderOptions &options) {
    auto fail = [&](DecodeError kind, std::string reason, std::size_t at) -> std::size_t {
        if (failure != nullptr) *failure = DecodeFailure{kind, std::move(reason), at, 0};
        return 0;
    };
    if (bytes.size() < kEventStreamPreludeBytes)
        return fail(DecodeError::truncated, "truncated message: " + std::to_string(bytes.size()) + " bytes", 0);
    PreludeCheck pc = check_prelude_bytes(bytes_of(bytes), options);
    if (pc.kind != DecodeError::none) return fail(pc.kind, std::move(pc.reason), pc.at);
    if (bytes.size() < pc.total_length)
        return fail(DecodeError::truncated,
                    "truncated message: " + std::to_string(bytes.size()) + " of " +
                        std::to_string(pc.total_length) + " bytes",
                    bytes.size());
    FrameCheck fc = decode_checked_frame(bytes.substr(0, pc.total_length), out);
    if (fc.kind != DecodeError::none) return fail(fc.kind, std::move(fc.reason), fc.at);
    return pc.total_length;
}

// ---------------------------------------------------------------------------
// Streaming decoder

void EventStreamDecoder::fail(DecodeError kind, std::string reason, std::uint64_t offset, std::uint64_t frame_offset) {
    error_ = DecodeFailure{kind, std::move(reason), offset, frame_offset};
    frame_.clear();
    frame_.shrink_to_fit();
}

bool EventStreamDecoder::check_prelude(const std::uint8_t *prelude, std::uint64_t frame_start) {
    PreludeCheck pc = check_prelude_bytes(prelude, options_);
    if (pc.kind != DecodeError::none) {
        fail(pc.kind, std::move(pc.reason), frame_start + pc.at, frame_start);
        return false;
    }
    total_length_ = pc.total_length;
    return true;
}

bool EventStreamDecoder::finish_frame(std::string_view frame, std::uint64_t frame_start, std::vector<Message> &out) {
    Message m;
    FrameCheck fc = decode_checked_frame(frame, m);
    if (fc.kind != DecodeError::none) {
        fail(fc.kind, std::move(fc.reason), frame_start + fc.at, frame_start);
        return false;
    }
    out.push_back(std::move(m));
    return true;
}

bool EventStreamDecoder::feed(std::span<const std::uint8_t> bytes, std::vector<Message> &out) {
    return feed(std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()), out);
}

bool EventStreamDecoder::feed(std::string_view bytes, std::vector<Message> &out) {
    if (failed()) return false;
    while (!bytes.empty()) {
        if (!have_prelude_) {
            const std::uint64_t frame_start = offset_ - prelude_fill_;
            if (prelude_fill_ == 0 && bytes.size() >= kEventStreamPreludeBytes) {
                // The prelude is in the input: check it there, and decode
                // the whole frame without copying if it is there too.
                if (!check_prelude(bytes_of(bytes), frame_start)) return false;
                if (bytes.size() >= total_length_) {
                    if (!finish_frame(bytes.substr(0, total_length_), frame_start, out)) return false;
                    bytes.remove_prefix(total_length_);
                    offset_ += total_length_;
                    continue;
                }
                frame_.reserve(std::min<std::size_t>(total_length_, kInitialFrameReserve));
                frame_.assign(bytes.substr(0, kEventStreamPreludeBytes));
                bytes.remove_prefix(kEventStreamPreludeBytes);
                offset_ += kEventStreamPreludeBytes;
            } else {
                const std::size_t take = std::min(kEventStreamPreludeBytes - prelude_fill_, bytes.size());
                std::copy_n(bytes_of(bytes), take, prelude_.begin() + static_cast<std::ptrdiff_t>(prelude_fill_));
                prelude_fill_ += take;
                bytes.remove_prefix(take);
                offset_ += take;
                if (prelude_fill_ < kEventStreamPreludeBytes) return true;
                prelude_fill_ = 0;
                if (!check_prelude(prelude_.data(), frame_start)) return false;
                frame_.reserve(std::min<std::size_t>(total_length_, kInitialFrameReserve));
                frame_.assign(reinterpret_cast<const char *>(prelude_.data()), prelude_.size());
            }
            have_prelude_ = true;
        }
        const std::size_t take = std::min<std::size_t>(total_length_ - frame_.size(), bytes.size());
        frame_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        offset_ += take;
        if (frame_.size() < total_length_) return true;
        const std::uint64_t frame_start = offset_ - total_length_;
        if (!finish_frame(frame_, frame_start, out)) return false;
        have_prelude_ = false;
        frame_.clear();
        if (frame_.capacity() > kKeepBufferCapacity) std::string().swap(frame_);
    }
    return true;
}

bool EventStreamDecoder::finish() {
    if (failed()) return false;
    const std::size_t pending = buffered();
    if (pending == 0) return true;
    const std::uint64_t frame_start = offset_ - pending;
    std::string reason = "truncated message: the stream ended " + std::to_string(pending) + " bytes into a frame";
    if (have_prelude_) reason += " of " + std::to_string(total_length_) + " bytes";
    fail(DecodeError::truncated, std::move(reason), offset_, frame_start);
    return false;
}

// ---------------------------------------------------------------------------
// Encoder

EncodeError encode_message(const Message &message, std::string &out, const DecoderOptions &limits) {
    std::size_t headers_length = 0;
    for (const auto &h : message.headers) {
        if (h.name.empty()) return EncodeError::header_name_empty;
        if (h.name.size() > 255) return EncodeError::header_name_too_long;
        if (const auto *b = std::get_if<ByteArray>(&h.value); b != nullptr && b->size() > 0xffff)
            return EncodeError::header_value_too_long;
        if (const auto *s = std::get_if<std::string>(&h.value); s != nullptr && s->size() > 0xffff)
            return EncodeError::header_value_too_long;
        headers_length += 1 + h.name.size() + 1 + value_wire_size(h.value);
    }
    if (headers_length > limits.max_headers_bytes) return EncodeError::headers_too_long;
    const std::size_t max_total = std::min<std::size_t>(limits.max_message_bytes, std::numeric_limits<std::uint32_t>::max());
    if (message.payload.size() > max_total ||
        headers_length + message.payload.size() > max_total - kEventStreamMinMessageBytes)
        return EncodeError::message_too_long;
    const std::size_t total = kEventStreamMinMessageBytes + headers_length + message.payload.size();

    const std::size_t start = out.size();
    out.reserve(start + total);
    put_be(out, total, 4);
    put_be(out, headers_length, 4);
    put_be(out, crc32_of(std::string_view(out).substr(start)), 4);
    for (const auto &h : message.headers) {
        out.push_back(static_cast<char>(h.name.size()));
        out.append(h.name);
        const HeaderType type = header_type(h.value);
        out.push_back(static_cast<char>(type));
        switch (type) {
        case HeaderType::bool_true:
        case HeaderType::bool_false: break;
        case HeaderType::byte: put_be(out, as_u64(std::get<std::int8_t>(h.value)), 1); break;
        case HeaderType::int16: put_be(out, as_u64(std::get<std::int16_t>(h.value)), 2); break;
        case HeaderType::int32: put_be(out, as_u64(std::get<std::int32_t>(h.value)), 4); break;
        case HeaderType::int64: put_be(out, as_u64(std::get<std::int64_t>(h.value)), 8); break;
        case HeaderType::timestamp: put_be(out, as_u64(std::get<Timestamp>(h.value).ms_since_epoch), 8); break;
        case HeaderType::byte_array: {
            const auto &b = std::get<ByteArray>(h.value);
            put_be(out, b.size(), 2);
            out.append(reinterpret_cast<const char *>(b.data()), b.size());
            break;
        }
        case HeaderType::string: {
            const auto &s = std::get<std::string>(h.value);
            put_be(out, s.size(), 2);
            out.append(s);
            break;
        }
        case HeaderType::uuid: {
            const auto &u = std::get<Uuid>(h.value);
            out.append(reinterpret_cast<const char *>(u.bytes.data()), u.bytes.size());
            break;
        }
        }
    }
    out.append(message.payload);
    put_be(out, crc32_of(std::string_view(out).substr(start)), 4);
    return EncodeError::none;
}

} // namespace helix::aws
