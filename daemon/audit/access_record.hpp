#pragma once
// The facts about one API request that the access (audit) log writes as one
// JSON line. The request's metrics are recorded from the same record (see
// metrics::RequestObservation), so the log and the counters cannot disagree.
//
// Never in a record: a client key (only its configured name), provider
// credentials, and (unless log.access_content) prompt or completion text.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::audit {

struct AttemptRecord {
    std::string provider;
    std::string model;
    std::string outcome;     // success | failure | abandoned
    std::string error;       // the failure's kind (metrics::ErrorKind names), empty on success
    int status = 0;          // the HTTP status that failure maps to, 0 on success
    double seconds = 0;      // the upstream call
};

struct AccessRecord {
    std::chrono::system_clock::time_point time = std::chrono::system_clock::now(); // arrival
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::string request_id;
    std::string remote;      // the client's address
    std::string method;
    std::string path;
    std::string client;      // the key's configured name; empty: no valid key
    std::string model_asked; // "model" as the client sent it
    bool stream = false;
    std::string provider;    // the provider and model that answered (or were tried last)
    std::string model;
    std::vector<AttemptRecord> attempts;
    int status = 0;          // sent to the client; 499: the client went away first
    std::optional<std::int64_t> tokens_in;
    std::optional<std::int64_t> tokens_out;
    std::optional<double> cost_usd;
    std::optional<double> latency_seconds;
    std::optional<double> first_token_seconds;
    // Only when log.access_content is on:
    std::string request_body;
    std::string completion;
    bool completion_truncated = false;

    static constexpr std::size_t max_completion_bytes = 1024 * 1024;
    void add_completion_text(std::string_view text);
};

// The record as one line of JSON ending in '\n'; the content fields only
// when include_content.
std::string to_json_line(const AccessRecord &record, bool include_content);

} // namespace helix::audit
