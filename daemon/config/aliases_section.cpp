#include "daemon/config/sections.hpp"

namespace helix::config {

// Whether the provider serves the target model is checked when the plugins are loaded.
void read_aliases_section(SectionReader &r, const Entry &section, Config &config) {
    LoadContext &ctx = r.ctx();
    ctx.for_each_free_entry(section.key, section.value, "aliases",
                            [&](const std::string &name, const YAML::Node &key_node, const YAML::Node &value) {
        const std::string path = "aliases." + name;
        const int line = LoadContext::line_of(key_node);
        if (name.empty() || name.find('/') != std::string::npos || name.size() > 128) {
            ctx.report(line, path + ": an alias is a model name without '/' (at most 128 characters)");
            return;
        }
        ModelAlias alias{name, {}, config.source_file + ":" + std::to_string(line)};
        const auto add_target = [&](const Scalar &target, const std::string &where) {
            const auto slash = target.text.find('/');
            const std::string provider = target.text.substr(0, slash);
            if (slash == std::string::npos || slash + 1 == target.text.size())
                ctx.report(target.line, where + ": target '" + target.text + "' is not provider/model");
            else if (config.find_provider(provider) == nullptr)
                ctx.report(target.line, where + ": target '" + target.text + "' names provider '" + provider +
                                            "', which is not a declared, enabled plugin");
            else
                alias.targets.push_back(target.text);
        };
        if (value.IsSequence()) {
            std::size_t i = 0;
            for (const YAML::Node &item : value) {
                const std::string where = path + "[" + std::to_string(i++) + "]";
                if (const auto target = ctx.item(item, where, false)) add_target(*target, where);
            }
            if (i == 0) ctx.report(line, path + ": needs at least one provider/model target");
        } else if (const auto target = ctx.scalar(key_node, value, path, false)) {
            add_target(*target, path);
        }
        if (!alias.targets.empty()) config.aliases.push_back(std::move(alias));
    });
}

} // namespace helix::config
