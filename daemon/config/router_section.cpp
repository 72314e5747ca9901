#include "daemon/config/sections.hpp"

namespace helix::config {

void read_router_section(SectionReader &r, const Entry &section, RouterSettings &router) {
    const Entries e = r.collect(section.key, section.value, "router",
                                {"max_attempts", "max_retry_wait", "deadline", "explicit_fallback", "cost_tolerance",
                                 "circuit_failures", "circuit_cooldown", "circuit_failure_rate", "circuit_window"});
    r.read(e, "router", "max_attempts", router.max_attempts, whole_number(1));
    r.read(e, "router", "circuit_failures", router.circuit_failures, whole_number(1));
    r.read(e, "router", "circuit_cooldown", router.circuit_cooldown, duration(false));
    if (const auto rate = r.value(e, "router", "circuit_failure_rate", number(0.0))) {
        if (*rate > 1.0)
            r.ctx().report(LoadContext::line_of(SectionReader::find(e, "circuit_failure_rate")->value),
                           "router.circuit_failure_rate: must be 0..1");
        else
            router.circuit_failure_rate = *rate;
    }
    r.read(e, "router", "circuit_window", router.circuit_window, whole_number(1));
    if (router.circuit_window > 64)
        if (const Entry *entry = SectionReader::find(e, "circuit_window"))
            r.ctx().report(LoadContext::line_of(entry->value), "router.circuit_window: at most 64 calls");
    r.read(e, "router", "cost_tolerance", router.cost_tolerance, number(0.0));
    r.read(e, "router", "max_retry_wait", router.max_retry_wait, duration(true));
    r.read(e, "router", "deadline", router.deadline, duration(false));
    r.read(e, "router", "explicit_fallback", router.explicit_fallback, boolean());
}

} // namespace helix::config
