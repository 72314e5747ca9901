#include "tools/cloudsim/stats.hpp"

#include <boost/json/array.hpp>

namespace helix::cloudsim {

namespace {

void bump(std::map<std::string, std::uint64_t, std::less<>> &map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), 0).first;
    ++it->second;
}

boost::json::object to_json(const std::map<std::string, std::uint64_t, std::less<>> &map) {
    boost::json::object out;
    for (const auto &[k, v] : map) out[k] = v;
    return out;
}

} // namespace

void Stats::count_request(std::string_view route, std::string_view protocol) {
    std::lock_guard lock(mutex_);
    ++requests_;
    bump(by_route_, route);
    bump(by_protocol_, protocol);
}

void Stats::count_outcome(std::string_view outcome) {
    std::lock_guard lock(mutex_);
    bump(by_outcome_, outcome);
}

void Stats::count_fault(FaultKind kind) {
    if (kind == FaultKind::none) return;
    std::lock_guard lock(mutex_);
    bump(faults_, fault_name(kind));
}

void Stats::stream_started() {
    const std::int64_t now_active = streams_active_.fetch_add(1) + 1;
    std::int64_t peak = streams_peak_.load();
    while (now_active > peak && !streams_peak_.compare_exchange_weak(peak, now_active)) {
    }
    std::lock_guard lock(mutex_);
    ++streams_total_;
}

void Stats::stream_finished() { streams_active_.fetch_sub(1); }

void Stats::record_media(const std::vector<boost::json::object> &media) {
    if (media.empty()) return;
    std::lock_guard lock(mutex_);
    for (const auto &m : media) media_.push_back(m);
    while (media_.size() > 64) media_.pop_front();
}

std::uint64_t Stats::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

boost::json::object Stats::snapshot() const {
    std::lock_guard lock(mutex_);
    boost::json::object out;
    out["requests"] = requests_;
    out["by_route"] = to_json(by_route_);
    out["by_outcome"] = to_json(by_outcome_);
    out["by_protocol"] = to_json(by_protocol_);
    out["faults"] = to_json(faults_);
    out["streams_total"] = streams_total_;
    out["streams_active"] = streams_active_.load();
    out["streams_peak"] = streams_peak_.load();
    boost::json::array media;
    for (const auto &m : media_) media.push_back(m);
    out["media"] = std::move(media);
    return out;
}

void Stats::reset() {
    std::lock_guard lock(mutex_);
    requests_ = 0;
    by_route_.clear();
    by_outcome_.clear();
    by_protocol_.clear();
    faults_.clear();
    streams_total_ = 0;
    media_.clear();
    streams_peak_.store(streams_active_.load());
}

} // namespace helix::cloudsim
