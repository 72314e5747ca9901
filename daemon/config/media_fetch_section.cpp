#include "daemon/config/sections.hpp"

#include "daemon/config/load_context.hpp"

namespace helix::config {

namespace {

// "name", "name:port", "*.suffix", an IP literal or "[v6]:port": letters,
// digits, dots, hyphens, colons, brackets and one leading "*.".
bool is_host_pattern(std::string_view p) {
    if (p.empty() || p.size() > 260) return false;
    if (p.starts_with("*.")) p.remove_prefix(2);
    if (p.empty()) return false;
    for (const char c : p) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
        if (!ok) return false;
    }
    return true;
}

void read_hosts(SectionReader &r, const Entries &e, const std::string &key, std::vector<std::string> &out) {
    const Entry *entry = SectionReader::find(e, key);
    if (entry == nullptr) return;
    const std::string path = "media_fetch." + key;
    LoadContext &ctx = r.ctx();
    if (!entry->value.IsSequence()) {
        ctx.report(LoadContext::value_line(entry->key, entry->value), path + ": expected a list of hosts");
        return;
    }
    std::size_t i = 0;
    for (const YAML::Node &item : entry->value) {
        const std::string where = path + "[" + std::to_string(i++) + "]";
        const auto value = ctx.item(item, where, false);
        if (!value) continue;
        if (!is_host_pattern(value->text)) {
            r.bad_value(*value, where, "a host: name, name:port, *.domain, an IP address or [IPv6]:port");
            continue;
        }
        out.push_back(value->text);
    }
}

} // namespace

void read_media_fetch_section(SectionReader &r, const Entry &section, MediaFetchSettings &media) {
    const Entries e = r.collect(section.key, section.value, "media_fetch",
                                {"enabled", "timeout", "max_bytes", "max_urls", "max_redirects", "allow_hosts",
                                 "private_hosts"});
    r.read(e, "media_fetch", "enabled", media.enabled, boolean());
    r.read(e, "media_fetch", "timeout", media.timeout, duration(false));
    r.read(e, "media_fetch", "max_bytes", media.max_bytes, byte_size(1));
    r.read(e, "media_fetch", "max_urls", media.max_urls, whole_number(1));
    r.read(e, "media_fetch", "max_redirects", media.max_redirects, whole_number(0));
    read_hosts(r, e, "allow_hosts", media.allow_hosts);
    read_hosts(r, e, "private_hosts", media.private_hosts);
}

} // namespace helix::config
