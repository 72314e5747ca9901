// Fuzz target for the event-stream decoder (libFuzzer with HELIX_FUZZ=ON; the
// corpus in corpus/event_stream replays in every build). The input is the
// byte stream as an upstream would send it. Checked on every input:
//   * no crash, no over-read (ASan in the libFuzzer build);
//   * the outcome does not depend on how the stream is split: fed whole and
//     fed in uneven chunks, the messages and the error (kind, offset) agree;
//   * every decoded message re-encodes to exactly the bytes it came from
//     (the encoding is canonical), and the one-shot decoder agrees;
//   * a decoder with small limits yields a prefix of the same messages.
#include "plugins/aws_common/event_stream.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace helix::aws;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

struct Run {
    std::vector<Message> messages;
    bool failed = false;
    DecodeFailure error;
};

Run decode(std::string_view bytes, std::size_t chunk_seed, const DecoderOptions &options) {
    EventStreamDecoder decoder(options);
    Run run;
    std::size_t at = 0;
    std::size_t step = chunk_seed;
    while (at < bytes.size()) {
        // Uneven chunk sizes (1..64), or everything at once when chunk_seed is 0.
        const std::size_t n = chunk_seed == 0 ? bytes.size() : 1 + step % 64;
        step = step * 1103515245u + 12345u;
        const bool ok = decoder.feed(bytes.substr(at, n), run.messages);
        at += std::min(n, bytes.size() - at);
        if (!ok) break;
    }
    decoder.finish();
    check(decoder.buffered() <= options.max_message_bytes);
    run.failed = decoder.failed();
    run.error = decoder.error();
    return run;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    const DecoderOptions defaults;

    const Run whole = decode(bytes, 0, defaults);
    const Run pieces = decode(bytes, size + 1, defaults);
    check(whole.messages == pieces.messages);
    check(whole.failed == pieces.failed);
    if (whole.failed) {
        check(whole.error.kind == pieces.error.kind);
        check(whole.error.offset == pieces.error.offset);
        check(whole.error.frame_offset == pieces.error.frame_offset);
        check(whole.error.offset <= size);
        check(whole.error.frame_offset <= whole.error.offset);
        check(!whole.error.reason.empty());
    } else {
        check(whole.error.kind == DecodeError::none);
    }

    // Canonical re-encoding: the decoded messages are the input's prefix.
    std::string again;
    for (const auto &m : whole.messages) {
        const std::size_t start = again.size();
        check(encode_message(m, again, defaults) == EncodeError::none);
        Message back;
        check(decode_message(std::string_view(again).substr(start), back) == again.size() - start);
        check(back == m);
    }
    check(bytes.substr(0, again.size()) == again);
    if (!whole.failed) check(again.size() == size);

    // The one-shot decoder agrees on the first frame.
    Message first;
    DecodeFailure failure;
    const std::size_t n = decode_message(bytes, first, &failure);
    if (!whole.messages.empty()) {
        check(n > 0 && first == whole.messages.front());
    } else if (whole.failed && whole.error.frame_offset == 0) {
        check(n == 0 && failure.kind == whole.error.kind);
    }

    // Small limits only ever stop earlier.
    DecoderOptions small;
    small.max_message_bytes = 64;
    small.max_headers_bytes = 24;
    const Run limited = decode(bytes, size + 7, small);
    check(limited.messages.size() <= whole.messages.size());
    for (std::size_t i = 0; i < limited.messages.size(); ++i) check(limited.messages[i] == whole.messages[i]);

    // The header parser on raw bytes.
    std::vector<Header> headers;
    std::size_t error_at = 0;
    if (decode_headers(bytes.substr(0, std::min<std::size_t>(size, 1024)), headers, &error_at) != DecodeError::none)
        check(error_at <= std::min<std::size_t>(size, 1024));
    return 0;
}
