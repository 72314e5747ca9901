#include "daemon/config/sections.hpp"

namespace helix::config {

void read_prices_section(SectionReader &r, const Entry &section, Config &config) {
    r.ctx().for_each_free_entry(section.key, section.value, "prices",
                                [&](const std::string &target, const YAML::Node &key_node, const YAML::Node &value) {
        const std::string path = "prices." + target;
        if (target.find('/') == std::string::npos) {
            r.ctx().report(LoadContext::line_of(key_node), path + ": prices are per provider/model");
            return;
        }
        const Entries e = r.collect(key_node, value, path, {"input", "output", "cache_read", "cache_write"});
        Price price;
        r.read(e, path, "input", price.input, number(0.0));
        r.read(e, path, "output", price.output, number(0.0));
        r.read(e, path, "cache_read", price.cache_read, number(0.0));
        r.read(e, path, "cache_write", price.cache_write, number(0.0));
        config.prices[target] = price;
    });
}

} // namespace helix::config
