#pragma once
// Request counters of one provider listener, served at GET /__sim/stats so
// that tests can check whether a provider (e.g. a fallback) was called.
// Control requests (/__sim/...) are not counted.

#include "tools/cloudsim/faults.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <deque>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim {

class Stats {
public:
    // `protocol`: "HTTP/1.1" or "HTTP/2" (by_protocol, so a test can tell
    // which one its client spoke).
    void count_request(std::string_view route, std::string_view protocol = "HTTP/1.1");
    // `outcome`: the HTTP status ("200", "429", ...) or "aborted".
    void count_outcome(std::string_view outcome);
    void count_fault(FaultKind kind);
    void stream_started();
    void stream_finished();
    // An image or document a request carried (media_record.hpp); the last 64 are kept.
    void record_media(const std::vector<boost::json::object> &media);

    std::uint64_t requests() const;
    boost::json::object snapshot() const;
    void reset();

private:
    mutable std::mutex mutex_;
    std::uint64_t requests_ = 0;
    std::map<std::string, std::uint64_t, std::less<>> by_route_;
    std::map<std::string, std::uint64_t, std::less<>> by_outcome_;
    std::map<std::string, std::uint64_t, std::less<>> by_protocol_;
    std::map<std::string, std::uint64_t, std::less<>> faults_;
    std::uint64_t streams_total_ = 0;
    std::deque<boost::json::object> media_;
    std::atomic<std::int64_t> streams_active_{0};
    std::atomic<std::int64_t> streams_peak_{0}; // most streams active at once since the last reset
};

// Counts a stream as active for its lifetime.
class ActiveStream {
public:
    explicit ActiveStream(Stats &stats) : stats_(stats) { stats_.stream_started(); }
    ~ActiveStream() { stats_.stream_finished(); }
    ActiveStream(const ActiveStream &) = delete;
    ActiveStream &operator=(const ActiveStream &) = delete;

private:
    Stats &stats_;
};

} // namespace helix::cloudsim
