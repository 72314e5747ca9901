#include "daemon/config/sections.hpp"

namespace helix::config {

void read_metrics_section(SectionReader &r, const Entry &section, MetricsSettings &metrics) {
    const Entries e = r.collect(section.key, section.value, "metrics", {"client_label"});
    r.read(e, "metrics", "client_label", metrics.client_label, boolean());
}

} // namespace helix::config
