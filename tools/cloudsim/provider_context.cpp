#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/provider_api.hpp"

#include <utility>

namespace helix::cloudsim {

ProviderContext::ProviderContext(std::string provider, Behaviour defaults)
    : provider_(std::move(provider)), defaults_(defaults) {}

std::optional<Behaviour> ProviderContext::behaviour(const Exchange &exchange, std::string &error) const {
    return behaviour_for_request(defaults_, exchange.header_lookup(), error);
}

std::optional<FaultKind> ProviderContext::resolve_fault(const Exchange &exchange, std::string_view prompt_text,
                                                        std::string &error) {
    std::optional<std::string> requested = exchange.header("x-sim-fault");
    std::string_view source = "x-sim-fault";
    if (!requested) {
        requested = find_fault_directive(prompt_text);
        source = "[[fault:...]]";
    }
    FaultKind kind = FaultKind::none;
    if (requested) {
        const auto parsed = parse_fault_kind(*requested);
        if (!parsed) {
            error = std::string(source) + ": unknown fault kind '" + *requested +
                    "' (known: 429, 500, 503, 529, reset-before-headers, reset-mid-stream, slow-first-byte, "
                    "stall, malformed-json)";
            return std::nullopt;
        }
        kind = *parsed;
    } else {
        kind = faults_.take();
    }
    stats_.count_fault(kind);
    return kind;
}

} // namespace helix::cloudsim
