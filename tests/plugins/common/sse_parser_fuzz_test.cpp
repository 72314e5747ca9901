// Fuzz target for the SSE parser used on upstream streams (libFuzzer with
// HELIX_FUZZ=ON; corpus/sse_parser_fuzz replays in every build). Byte 0
// seeds the chunking and the size limit; the rest is the stream. Checked on
// every input:
//   * no crash, no over-read (ASan/UBSan in the libFuzzer build);
//   * the events, the retry value, the last id and whether the end was
//     incomplete equal those of a plain line-by-line reading of the WHATWG
//     rules (below), however the bytes are split;
//   * with a small limit the parser either agrees or fails, having given a
//     prefix of the same events, each within the limit; once failed it stays failed.
#include "plugins/common/sse_parser.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using helix::plugin_common::SseError;
using helix::plugin_common::SseEvent;
using helix::plugin_common::SseParser;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

struct Event {
    std::string event, data, id;
    bool operator==(const Event &) const = default;
};

struct Result {
    std::vector<Event> events;
    std::optional<std::uint64_t> retry_ms;
    std::string last_id;
    bool incomplete = false;
    bool failed = false;
    bool operator==(const Result &) const = default;
};

// The standard's algorithm, one whole line at a time, written for clarity
// rather than speed: the oracle the incremental parser must agree with.
Result reference(std::string_view stream) {
    Result r;
    std::string data, event;
    bool has_data = false;
    bool first = true;
    const auto field = [&](std::string_view line) {
        if (first) {
            first = false;
            if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
        }
        if (line.empty()) {
            if (has_data) {
                data.pop_back();
                r.events.push_back({event, data, r.last_id});
            }
            data.clear();
            event.clear();
            has_data = false;
            return;
        }
        if (line.front() == ':') return;
        const std::size_t colon = line.find(':');
        const std::string_view name = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        if (value.starts_with(' ')) value.remove_prefix(1);
        if (name == "data") {
            data.append(value).push_back('\n');
            has_data = true;
        } else if (name == "event") {
            event = value;
        } else if (name == "id") {
            if (value.find('\0') == std::string_view::npos) r.last_id = value;
        } else if (name == "retry" && !value.empty() &&
                   std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            std::uint64_t ms = 0;
            for (const char c : value) {
                const auto digit = static_cast<std::uint64_t>(c - '0');
                ms = ms > (UINT64_MAX - digit) / 10 ? UINT64_MAX : ms * 10 + digit;
            }
            r.retry_ms = ms;
        }
    };
    std::size_t at = 0;
    while (at < stream.size()) {
        const std::size_t end = stream.find_first_of("\r\n", at);
        if (end == std::string_view::npos) break;
        field(stream.substr(at, end - at));
        at = end + 1;
        if (stream[end] == '\r' && at < stream.size() && stream[at] == '\n') ++at;
    }
    r.incomplete = at < stream.size() || has_data;
    return r;
}

Result parse(std::string_view stream, unsigned seed, std::size_t limit) {
    SseParser parser(limit);
    Result r;
    const auto on_event = [&](const SseEvent &e) {
        check(e.event.size() + e.data.size() <= limit);
        r.events.push_back({std::string(e.event), std::string(e.data), std::string(e.id)});
    };
    std::size_t at = 0;
    std::uint32_t step = seed;
    try {
        while (at < stream.size()) {
            // Uneven chunks of 1..32 bytes, or everything at once when the seed is 0.
            const std::size_t n = seed == 0 ? stream.size() : 1 + step % 32;
            step = step * 1103515245u + 12345u;
            parser.feed(stream.substr(at, n), on_event);
            at += std::min(n, stream.size() - at);
        }
    } catch (const SseError &) {
        r.failed = true;
        bool still_failed = false;
        try {
            parser.feed("\n\n", on_event);
        } catch (const SseError &) {
            still_failed = true;
        }
        check(still_failed);
    }
    r.retry_ms = parser.retry_ms();
    r.last_id = parser.last_event_id();
    r.incomplete = parser.finish();
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned seed = data[0];
    const std::string_view stream(reinterpret_cast<const char *>(data + 1), size - 1);

    const Result expected = reference(stream);
    check(parse(stream, 0, helix::plugin_common::kDefaultMaxSseEventBytes) == expected);
    check(parse(stream, seed + 1, helix::plugin_common::kDefaultMaxSseEventBytes) == expected);

    const Result limited = parse(stream, seed, 8 + seed % 64);
    if (!limited.failed) {
        check(limited.events == expected.events);
    } else {
        check(limited.events.size() <= expected.events.size());
        check(std::equal(limited.events.begin(), limited.events.end(), expected.events.begin()));
    }
    return 0;
}
