#include "daemon/config/sections.hpp"

namespace helix::config {

void read_upstream_section(SectionReader &r, const Entry &section, UpstreamSettings &upstream) {
    const Entries e = r.collect(section.key, section.value, "upstream",
                                {"verify_tls", "ca_file", "max_idle_connections", "idle_timeout", "http2"});
    r.read(e, "upstream", "verify_tls", upstream.verify_tls, boolean());
    if (const Entry *entry = SectionReader::find(e, "ca_file"))
        if (const auto value = r.scalar(*entry, "upstream.ca_file", "ca_file")) {
            const auto path = r.resolve(value->text);
            if (value->text.empty() || !std::filesystem::is_regular_file(path))
                r.ctx().report(value->line, "upstream.ca_file: no such file '" + path.string() + "'");
            else
                upstream.ca_file = path.string();
        }
    r.read(e, "upstream", "max_idle_connections", upstream.max_idle_connections, whole_number(0));
    r.read(e, "upstream", "idle_timeout", upstream.idle_timeout, duration(true));
    r.read(e, "upstream", "http2", upstream.http2, one_of({"off", "auto", "on"}));
}

} // namespace helix::config
