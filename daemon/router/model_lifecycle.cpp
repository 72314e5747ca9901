#include "daemon/router/model_lifecycle.hpp"

#include "daemon/router/model_keyed.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace helix::router {

namespace {

std::chrono::year_month_day day_of(std::int64_t seconds) {
    return std::chrono::year_month_day(
        std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(seconds))));
}

} // namespace

std::string_view to_string(LifecycleState state) noexcept {
    switch (state) {
    case LifecycleState::active: return "active";
    case LifecycleState::legacy: return "legacy";
    case LifecycleState::end_of_life: return "end_of_life";
    }
    return "active";
}

LifecycleState lifecycle_state(const config::ModelLifecycle &lifecycle, std::int64_t now) noexcept {
    if (lifecycle.end_of_life && now >= *lifecycle.end_of_life) return LifecycleState::end_of_life;
    if (lifecycle.legacy && now >= *lifecycle.legacy) return LifecycleState::legacy;
    return LifecycleState::active;
}

bool served_by_successor(const config::ModelLifecycle &lifecycle, std::int64_t now) noexcept {
    if (lifecycle.successor.empty()) return false;
    const LifecycleState state = lifecycle_state(lifecycle, now);
    return state == LifecycleState::end_of_life || (state == LifecycleState::legacy && lifecycle.successor_from_legacy);
}

const config::ModelLifecycle *lifecycle_of(const config::Config &config, const plugins::ProviderInstance &provider,
                                           const plugins::ModelInfo &model) {
    return find_for_model(config.lifecycle, provider, model);
}

std::vector<std::string> end_of_life_warnings(const config::Config &config, std::int64_t now) {
    std::vector<std::string> out;
    for (const auto &[model, lifecycle] : config.lifecycle) {
        if (lifecycle_state(lifecycle, now) != LifecycleState::end_of_life) continue;
        out.push_back(model + " (" + lifecycle.source + ") reached its end of life on " +
                      calendar_date(*lifecycle.end_of_life) +
                      (lifecycle.successor.empty() ? "; requests to it fail upstream (set a successor)"
                                                   : "; its requests are served by its successor " +
                                                         lifecycle.successor));
    }
    return out;
}

std::string deprecation_header(std::int64_t seconds) { return "@" + std::to_string(seconds); }

std::string sunset_header(std::int64_t seconds) {
    static constexpr std::array<const char *, 7> kDays{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"}; // 1970-01-01: Thu
    static constexpr std::array<const char *, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    const std::int64_t in_day = seconds - days * 86400;
    const std::chrono::year_month_day ymd = day_of(seconds);
    char out[80];
    std::snprintf(out, sizeof out, "%s, %02u %s %04d %02lld:%02lld:%02lld GMT",
                  kDays[static_cast<std::size_t>(((days % 7) + 7) % 7)], static_cast<unsigned>(ymd.day()),
                  kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                  static_cast<long long>(in_day / 3600), static_cast<long long>(in_day % 3600 / 60),
                  static_cast<long long>(in_day % 60));
    return out;
}

std::string calendar_date(std::int64_t seconds) {
    const std::chrono::year_month_day ymd = day_of(seconds);
    char out[48];
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return out;
}

} // namespace helix::router
