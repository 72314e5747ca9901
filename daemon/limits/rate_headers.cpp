#include "daemon/limits/rate_headers.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace helix::limits {

namespace {

// "N per min" or "N per 10s", as the message words a window.
std::string per_window(Micros window) {
    if (window == 60'000'000) return "min";
    return reset_text(window);
}

std::string usd(std::int64_t micro) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", static_cast<double>(micro) / 1e6);
    return text;
}

std::string seconds_text(Micros t) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", static_cast<double>(t) / 1e6);
    return std::string(text) + "s";
}

} // namespace

const char *refusal_name(Refusal refusal) noexcept {
    switch (refusal) {
    case Refusal::none: return "none";
    case Refusal::requests: return "requests";
    case Refusal::tokens: return "tokens";
    case Refusal::too_many_tokens: return "request_too_large";
    case Refusal::concurrency: return "concurrency";
    case Refusal::daily_budget: return "daily_budget";
    case Refusal::monthly_budget: return "monthly_budget";
    case Refusal::store_unavailable: return "store_unavailable";
    }
    return "none";
}

std::string reset_text(Micros duration) {
    const std::int64_t ms = std::max<Micros>(0, (duration + 999) / 1000);
    if (ms < 1000) return std::to_string(ms) + "ms";
    const std::int64_t hours = ms / 3'600'000;
    const std::int64_t minutes = ms / 60'000 % 60;
    const std::int64_t millis = ms % 60'000; // of the last minute
    std::string seconds = std::to_string(millis / 1000);
    if (const std::int64_t frac = millis % 1000; frac != 0) {
        char digits[8];
        std::snprintf(digits, sizeof digits, ".%03lld", static_cast<long long>(frac));
        std::string f = digits;
        while (f.back() == '0') f.pop_back();
        seconds += f;
    }
    std::string out;
    if (hours > 0) out += std::to_string(hours) + "h";
    if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
    return out + seconds + "s";
}

std::vector<Header> rate_headers(const std::vector<ScopeDemand> &demands, const Decision &decision) {
    std::vector<Header> out;
    const auto tightest = [&](bool tokens) -> std::optional<RateState> {
        std::optional<RateState> best;
        for (std::size_t i = 0; i < demands.size() && i < decision.scopes.size(); ++i) {
            if (!(tokens ? demands[i].tokens : demands[i].requests).on()) continue;
            const RateState &s = tokens ? decision.scopes[i].tokens : decision.scopes[i].requests;
            if (!best || s.remaining < best->remaining) best = s;
        }
        return best;
    };
    for (const bool tokens : {false, true}) {
        const auto state = tightest(tokens);
        if (!state) continue;
        const std::string kind = tokens ? "tokens" : "requests";
        out.emplace_back("x-ratelimit-limit-" + kind, std::to_string(state->limit));
        out.emplace_back("x-ratelimit-remaining-" + kind, std::to_string(state->remaining));
        out.emplace_back("x-ratelimit-reset-" + kind, reset_text(state->reset));
    }
    std::optional<std::int64_t> budget_left;
    for (std::size_t i = 0; i < demands.size() && i < decision.scopes.size(); ++i) {
        const auto left = [&](std::int64_t budget, std::int64_t spent) {
            if (budget <= 0) return;
            const std::int64_t l = std::max<std::int64_t>(0, budget - spent);
            if (!budget_left || l < *budget_left) budget_left = l;
        };
        left(demands[i].daily_budget, decision.scopes[i].spent_day);
        left(demands[i].monthly_budget, decision.scopes[i].spent_month);
    }
    if (budget_left) out.emplace_back("x-helix-budget-remaining-usd", usd(*budget_left));
    return out;
}

api::ApiError refusal_error(const std::vector<ScopeDemand> &demands, const Decision &decision, std::string_view who) {
    api::ApiError e;
    e.status = 429;
    e.type = "requests";
    e.code = "rate_limit_exceeded";
    e.retry_after_ms = static_cast<std::uint32_t>(
        std::min<Micros>((decision.retry_after + 999) / 1000, std::int64_t{0xFFFFFFFF}));
    if (decision.refusal != Refusal::too_many_tokens && e.retry_after_ms == 0) e.retry_after_ms = 1;
    const ScopeDemand *d = decision.refused_scope < demands.size() ? &demands[decision.refused_scope] : nullptr;
    const std::string name(who);
    const std::string wait = " Please try again in " + seconds_text(decision.retry_after) + ".";
    switch (decision.refusal) {
    case Refusal::requests:
        e.message = "Rate limit reached for " + name + " on requests per " + per_window(d->requests.window) +
                    ": Limit " + std::to_string(d->requests.limit) + ", Requested 1." + wait;
        break;
    case Refusal::tokens:
        e.type = "tokens";
        e.message = "Rate limit reached for " + name + " on tokens per " + per_window(d->tokens.window) + ": Limit " +
                    std::to_string(d->tokens.limit) + ", Requested " + std::to_string(d->tokens_wanted) +
                    " (the prompt's estimate plus max_tokens)." + wait;
        break;
    case Refusal::too_many_tokens:
        e.type = "tokens";
        e.code = "request_too_large";
        e.message = "Request too large for " + name + " on tokens per " + per_window(d->tokens.window) + ": Limit " +
                    std::to_string(d->tokens.limit) + ", Requested " + std::to_string(d->tokens_wanted) +
                    " (the prompt's estimate plus max_tokens). Send a shorter prompt or a lower max_tokens.";
        break;
    case Refusal::concurrency:
        e.message = "Too many concurrent requests for " + name + ": Limit " + std::to_string(d->max_concurrent) +
                    " at once." + wait;
        break;
    case Refusal::daily_budget:
    case Refusal::monthly_budget: {
        const bool daily = decision.refusal == Refusal::daily_budget;
        e.type = "insufficient_quota";
        e.code = "insufficient_quota";
        e.message = "The " + std::string(daily ? "daily" : "monthly") + " budget of " + name + " (" +
                    usd(daily ? d->daily_budget : d->monthly_budget) + " USD) is spent; it renews at the start of the next UTC " +
                    (daily ? "day" : "month") + ".";
        break;
    }
    case Refusal::store_unavailable:
        e.status = 503;
        e.type = "server_error";
        e.code = "limits_unavailable";
        e.message = "The shared limits store is unreachable and the limits of " + name +
                    " say on_store_failure: deny.";
        e.retry_after_ms = 1000;
        break;
    case Refusal::none:
        break;
    }
    return e;
}

} // namespace helix::limits
