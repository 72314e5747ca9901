#pragma once
// Fault injection: the kinds of failure the simulator can produce, how a
// request asks for one (header `x-sim-fault: <kind>` or the prompt directive
// `[[fault:<kind>]]`), and the per-provider fault board that the control
// endpoint `/__sim/faults` programs for the next N requests.

#include <boost/json/object.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim {

enum class FaultKind {
    none,
    rate_limited,          // "429": throttled, with Retry-After
    server_error,          // "500"
    unavailable,           // "503"
    overloaded,            // "529": Anthropic's overloaded status
    reset_before_headers,  // close the connection (RST) without a response
    reset_mid_stream,      // send part of the reply, then RST
    slow_first_byte,       // sleep before the response headers
    stall,                 // send part of the reply, then send nothing (bounded)
    malformed_json,        // a body or an SSE data line that is not valid JSON
};

// "429", "500", "503", "529", "reset-before-headers", "reset-mid-stream",
// "slow-first-byte", "stall", "malformed-json" (case-insensitive; "none" too).
std::optional<FaultKind> parse_fault_kind(std::string_view text);
std::string_view fault_name(FaultKind kind);

// True for the kinds answered with an HTTP error status instead of a reply.
bool is_error_status_fault(FaultKind kind);
// The HTTP status of an error-status fault; 0 for the others.
int fault_status(FaultKind kind);

// The kind text of the first `[[fault:<kind>]]` in `text` (not validated), if any.
std::optional<std::string> find_fault_directive(std::string_view text);

// Per-provider faults programmed through the control endpoint: one of the
// common kinds, or a kind of the provider's own (ProviderApi::board_fault,
// e.g. Bedrock's "bad-crc") that only its module takes.
class FaultBoard {
public:
    static constexpr std::int64_t until_cleared = -1;

    // Applies `kind` to the next `count` requests (until_cleared: every request
    // until clear()); a count of 0 clears.
    void set(FaultKind kind, std::int64_t count);
    void set_own(std::string kind, std::int64_t count);
    void clear();
    // The fault for the request now starting (none when the board is empty or
    // holds an own kind); consumes one of the remaining count.
    FaultKind take();
    // The own kind, consuming one of the remaining count; nullopt (nothing
    // consumed) when the board holds none.
    std::optional<std::string> take_own();
    boost::json::object describe() const;

private:
    bool consume(); // under mutex_: one request took the fault

    mutable std::mutex mutex_;
    FaultKind kind_ = FaultKind::none;
    std::string own_; // set: an own kind instead of kind_
    std::int64_t remaining_ = 0;
};

} // namespace helix::cloudsim
