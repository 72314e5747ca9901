#pragma once
// The simulator's own endpoints on every provider listener (never part of a
// real provider's API, no auth):
//   POST   /__sim/faults  {"kind":"503","count":3}  the next N requests fail
//                         (count -1: until cleared; default 1); a common kind
//                         or one of the provider's own (ProviderApi::board_fault)
//   GET    /__sim/faults  the programmed fault and how many remain
//   DELETE /__sim/faults  clears it
//   GET    /__sim/stats   request counters (see Stats)
//   DELETE /__sim/stats   resets the counters

#include <string_view>

namespace helix::cloudsim {

class Exchange;
class ProviderContext;
class ProviderApi;

inline constexpr std::string_view kControlPrefix = "/__sim/";

void handle_control(Exchange &exchange, ProviderContext &context, const ProviderApi &api);

} // namespace helix::cloudsim
