#pragma once
// What a reply says about the limits, as OpenAI says it:
// x-ratelimit-limit-requests / -tokens, x-ratelimit-remaining-*, and
// x-ratelimit-reset-* as a Go duration ("1s", "6m0s", "20ms"); and the 429
// of a refusal in OpenAI's error shape.

#include "daemon/api/error_body.hpp"
#include "daemon/limits/demand.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helix::limits {

using Header = std::pair<std::string, std::string>;

// "20ms", "1.5s", "6m0s", "1h2m3s": how OpenAI writes x-ratelimit-reset-*.
std::string reset_text(Micros duration);

// The headers for a decision over `demands`: of each kind, the scope with
// the least left. Budgets add x-helix-budget-remaining-usd.
std::vector<Header> rate_headers(const std::vector<ScopeDemand> &demands, const Decision &decision);

// The client's error for a refused decision; `who` names the key or provider.
api::ApiError refusal_error(const std::vector<ScopeDemand> &demands, const Decision &decision, std::string_view who);

} // namespace helix::limits
