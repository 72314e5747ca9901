#include "daemon/config/sections.hpp"

namespace helix::config {

// Whether the successor's provider serves the model is checked when the plugins are loaded.
void read_lifecycle_section(SectionReader &r, const Entry &section, Config &config) {
    LoadContext &ctx = r.ctx();
    ctx.for_each_free_entry(section.key, section.value, "lifecycle",
                            [&](const std::string &target, const YAML::Node &key_node, const YAML::Node &value) {
        const std::string path = "lifecycle." + target;
        const int line = LoadContext::line_of(key_node);
        if (target.find('/') == std::string::npos) {
            ctx.report(line, path + ": lifecycle dates are per provider/model");
            return;
        }
        const Entries e = r.collect(key_node, value, path, {"legacy", "end_of_life", "successor", "successor_from"});
        ModelLifecycle lc;
        lc.source = config.source_file + ":" + std::to_string(line);
        lc.legacy = r.value(e, path, "legacy", calendar_date());
        lc.end_of_life = r.value(e, path, "end_of_life", calendar_date());
        if (lc.legacy && lc.end_of_life && *lc.end_of_life < *lc.legacy)
            ctx.report(line, path + ": end_of_life is before legacy");
        if (!lc.legacy && !lc.end_of_life)
            ctx.report(line, path + ": needs legacy and/or end_of_life (YYYY-MM-DD)");
        if (const Entry *s = SectionReader::find(e, "successor")) {
            if (const auto successor = r.scalar(*s, path + ".successor", "successor")) {
                const auto slash = successor->text.find('/');
                const std::string provider = successor->text.substr(0, slash);
                if (slash == std::string::npos || slash + 1 == successor->text.size())
                    ctx.report(successor->line, path + ".successor: '" + successor->text + "' is not provider/model");
                else if (config.find_provider(provider) == nullptr)
                    ctx.report(successor->line, path + ".successor: '" + successor->text + "' names provider '" +
                                                    provider + "', which is not a declared, enabled plugin");
                else if (successor->text == target)
                    ctx.report(successor->line, path + ".successor: a model cannot succeed itself");
                else
                    lc.successor = successor->text;
            }
        }
        std::string from = "end_of_life";
        r.read(e, path, "successor_from", from, one_of({"legacy", "end_of_life"}));
        lc.successor_from_legacy = from == "legacy";
        config.lifecycle[target] = std::move(lc);
    });
}

} // namespace helix::config
