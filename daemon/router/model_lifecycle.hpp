#pragma once
// A model's lifecycle (lifecycle: in the configuration) at request time:
// its state, the Deprecation (RFC 9745) and Sunset (RFC 8594) headers a
// reply carries, and whether its successor serves it instead.

#include "daemon/config/config.hpp"
#include "daemon/plugins/provider_instance.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace helix::router {

enum class LifecycleState { active, legacy, end_of_life };

std::string_view to_string(LifecycleState state) noexcept;

// The state on the day of `now` (seconds since the epoch): end_of_life from
// that date on, legacy from the legacy date on, else active.
LifecycleState lifecycle_state(const config::ModelLifecycle &lifecycle, std::int64_t now) noexcept;

// Whether its requests go to the successor at `now`: a successor is set and
// the model is past end of life (or legacy, with successor_from: legacy).
bool served_by_successor(const config::ModelLifecycle &lifecycle, std::int64_t now) noexcept;

// The lifecycle written for provider/model, else for another name of the
// same upstream model on that provider (a Bedrock short name and its full
// id); null when none.
const config::ModelLifecycle *lifecycle_of(const config::Config &config, const plugins::ProviderInstance &provider,
                                           const plugins::ModelInfo &model);

// One line per model of `config` past its end of life at `now`, what
// --check-config warns about: "aws-bedrock/x (file:line) reached its end of
// life on 2025-07-21; served by its successor p/m" or "...; requests to it fail upstream".
std::vector<std::string> end_of_life_warnings(const config::Config &config, std::int64_t now);

// "@1737417600": an RFC 9651 Date, as RFC 9745's Deprecation header takes it.
std::string deprecation_header(std::int64_t seconds);
// "Tue, 21 Jan 2025 00:00:00 GMT": an IMF-fixdate, as RFC 8594's Sunset header takes it.
std::string sunset_header(std::int64_t seconds);
// "2025-01-21".
std::string calendar_date(std::int64_t seconds);

} // namespace helix::router
