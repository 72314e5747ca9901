#include "tools/cloudsim/faults.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace helix::cloudsim {

namespace {

constexpr std::array<std::pair<std::string_view, FaultKind>, 10> kNames{{
    {"none", FaultKind::none},
    {"429", FaultKind::rate_limited},
    {"500", FaultKind::server_error},
    {"503", FaultKind::unavailable},
    {"529", FaultKind::overloaded},
    {"reset-before-headers", FaultKind::reset_before_headers},
    {"reset-mid-stream", FaultKind::reset_mid_stream},
    {"slow-first-byte", FaultKind::slow_first_byte},
    {"stall", FaultKind::stall},
    {"malformed-json", FaultKind::malformed_json},
}};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
    return s;
}

} // namespace

std::optional<FaultKind> parse_fault_kind(std::string_view text) {
    text = trim(text);
    for (const auto &[name, kind] : kNames) {
        if (iequals(text, name)) return kind;
    }
    return std::nullopt;
}

std::string_view fault_name(FaultKind kind) {
    for (const auto &[name, k] : kNames) {
        if (k == kind) return name;
    }
    return "none";
}

bool is_error_status_fault(FaultKind kind) { return fault_status(kind) != 0; }

int fault_status(FaultKind kind) {
    switch (kind) {
    case FaultKind::rate_limited: return 429;
    case FaultKind::server_error: return 500;
    case FaultKind::unavailable: return 503;
    case FaultKind::overloaded: return 529;
    default: return 0;
    }
}

std::optional<std::string> find_fault_directive(std::string_view text) {
    static constexpr std::string_view open = "[[fault:";
    const auto start = text.find(open);
    if (start == std::string_view::npos) return std::nullopt;
    const auto from = start + open.size();
    const auto end = text.find("]]", from);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(trim(text.substr(from, end - from)));
}

void FaultBoard::set(FaultKind kind, std::int64_t count) {
    std::lock_guard lock(mutex_);
    own_.clear();
    if (kind == FaultKind::none || count == 0) {
        kind_ = FaultKind::none;
        remaining_ = 0;
        return;
    }
    kind_ = kind;
    remaining_ = count < 0 ? until_cleared : count;
}

void FaultBoard::set_own(std::string kind, std::int64_t count) {
    if (kind.empty() || count == 0) return clear();
    std::lock_guard lock(mutex_);
    kind_ = FaultKind::none;
    own_ = std::move(kind);
    remaining_ = count < 0 ? until_cleared : count;
}

void FaultBoard::clear() { set(FaultKind::none, 0); }

bool FaultBoard::consume() {
    if (remaining_ > 0 && --remaining_ == 0) {
        kind_ = FaultKind::none;
        own_.clear();
    }
    return true;
}

FaultKind FaultBoard::take() {
    std::lock_guard lock(mutex_);
    if (kind_ == FaultKind::none) return FaultKind::none;
    const FaultKind kind = kind_;
    consume();
    return kind;
}

std::optional<std::string> FaultBoard::take_own() {
    std::lock_guard lock(mutex_);
    if (own_.empty()) return std::nullopt;
    std::string kind = own_;
    consume();
    return kind;
}

boost::json::object FaultBoard::describe() const {
    std::lock_guard lock(mutex_);
    boost::json::object out;
    const bool empty = kind_ == FaultKind::none && own_.empty();
    out["kind"] = own_.empty() ? std::string(fault_name(kind_)) : own_;
    out["remaining"] = empty ? 0 : remaining_;
    return out;
}

} // namespace helix::cloudsim
