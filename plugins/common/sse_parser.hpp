#pragma once
// An incremental parser of Server-Sent Events (text/event-stream), as the
// WHATWG HTML standard defines them (section "Parsing an event stream").
//
// Feed it the body bytes as they arrive, split anywhere (even inside a CRLF
// or a UTF-8 sequence); it calls the handler once per complete event.
//   - Lines end with "\n", "\r\n" or "\r"; a UTF-8 BOM at the very start is skipped.
//   - "field:value" and "field: value" (one leading space is dropped);
//     a line without a colon is a field with an empty value.
//   - Lines starting with ':' are comments.
//   - "data" lines of one event are joined with "\n".
//   - "event" names the event (empty when not given: the standard's "message").
//   - "id" sets the last event id, which (as in the standard) stays for later
//     events until another "id" line changes it; an id containing NUL is ignored.
//   - "retry" with only digits is kept in retry_ms().
//   - An empty line dispatches the event; an event without any data line is
//     not dispatched (the standard says so), only its name is reset.
// Bytes of one event (pending line + data + name) are bounded by
// max_event_bytes: beyond it feed() throws SseError rather than growing, and
// the parser stays failed.
//
// Not thread-safe; one parser per response. No dependencies beyond the
// standard library, so the simulators can use it too.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace helix::plugin_common {

inline constexpr std::size_t kDefaultMaxSseEventBytes = 8u * 1024u * 1024u;

struct SseEvent {
    std::string_view event; // "" when no event: line came ("message")
    std::string_view data;  // data lines joined with '\n'
    std::string_view id;    // the last event id seen so far ("" if none)
};

class SseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SseParser {
public:
    // The event and the views in it are valid only during the call. The
    // handler may throw; the exception leaves feed() (the parser is then
    // in an unspecified but safe state; stop using it).
    using Handler = std::function<void(const SseEvent &)>;

    explicit SseParser(std::size_t max_event_bytes = kDefaultMaxSseEventBytes) noexcept
        : max_event_bytes_(max_event_bytes) {}

    // Parses the next bytes, calling on_event for every event they complete.
    // Throws SseError when an event grows beyond max_event_bytes.
    void feed(std::string_view bytes, const Handler &on_event);

    // The body ended. Returns true when an incomplete event was pending (an
    // unterminated line, or data lines without the blank line that ends an
    // event); that event is dropped, as the standard says. Resets the parser
    // for reuse (keeping the last event id).
    bool finish() noexcept;

    // The last valid "retry:" value, in milliseconds.
    std::optional<std::uint64_t> retry_ms() const noexcept { return retry_ms_; }
    const std::string &last_event_id() const noexcept { return last_id_; }
    std::size_t max_event_bytes() const noexcept { return max_event_bytes_; }

private:
    void line(std::string_view text, const Handler &on_event);
    void dispatch(const Handler &on_event);
    void check_size(std::size_t adding) const;

    std::size_t max_event_bytes_;
    std::string partial_;   // the current line, while it is unterminated
    std::string line_;      // a completed line that was assembled in partial_
    std::string data_;      // data lines so far, each followed by '\n'
    std::string event_;     // the event name so far
    std::string last_id_;   // the last event id buffer
    std::optional<std::uint64_t> retry_ms_;
    bool has_data_ = false;  // data_ holds at least one data line
    bool skip_lf_ = false;   // the last line ended with '\r': a '\n' next belongs to it
    bool first_line_ = true; // the BOM check is pending
    bool failed_ = false;
};

} // namespace helix::plugin_common
