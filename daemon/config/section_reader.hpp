#pragma once
// What every section reader (server_section.cpp, router_section.cpp, ...)
// shares: the entries of a map section, the one typed-value reader, and
// paths relative to the YAML file's directory.

#include "daemon/config/load_context.hpp"
#include "daemon/config/plugin_schema.hpp"
#include "daemon/config/value_rule.hpp"

#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace helix::config {

struct Entry {
    YAML::Node key;
    YAML::Node value;
};
using Entries = std::map<std::string, Entry>;

class SectionReader {
public:
    SectionReader(LoadContext &ctx, std::filesystem::path base_dir, PluginSchemaSource *schemas = nullptr)
        : ctx_(ctx), base_dir_(std::move(base_dir)), schemas_(schemas) {}

    LoadContext &ctx() { return ctx_; }
    // Where plugins' settings tables come from; null: settings are not checked by a table.
    PluginSchemaSource *schemas() const { return schemas_; }
    const std::filesystem::path &base_dir() const { return base_dir_; }
    // `relative` resolved against the YAML file's directory (absolute paths stay).
    std::filesystem::path resolve(const std::string &relative) const {
        return (base_dir_ / relative).lexically_normal();
    }

    // The entries of map `map` (under `key`) named `section`; unknown keys are reported.
    Entries collect(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                    std::initializer_list<std::string_view> allowed);
    static const Entry *find(const Entries &entries, const std::string &name);
    static std::string join(const std::string &section, const std::string &key);

    // The entry's scalar, expanded; never echoed if `key` looks secret.
    std::optional<Scalar> scalar(const Entry &entry, const std::string &path, const std::string &key);
    void bad_value(const Scalar &value, const std::string &path, const std::string &expected);
    // The resolved path of `section.key`, a file the daemon will read: empty
    // when absent, or (reported, naming the file) unless it is a regular
    // file this process can read.
    std::string readable_file(const Entries &entries, const std::string &section, const std::string &key);

    // The typed value of `section.key`: nullopt when absent, or (reported)
    // when it breaks `rule`.
    template <class T>
    std::optional<T> value(const Entries &entries, const std::string &section, const std::string &key,
                           const ValueRule<T> &rule) {
        const Entry *entry = find(entries, key);
        if (entry == nullptr) return std::nullopt;
        const std::string path = join(section, key);
        const auto text = scalar(*entry, path, key);
        if (!text) return std::nullopt;
        auto parsed = rule.parse(text->text);
        if (!parsed) bad_value(*text, path, rule.expected);
        return parsed;
    }

    // The same, stored in `out` when present and valid (`out` keeps its default otherwise).
    template <class T, class Out>
    void read(const Entries &entries, const std::string &section, const std::string &key, Out &out,
              const ValueRule<T> &rule) {
        if (auto parsed = value(entries, section, key, rule)) out = static_cast<Out>(std::move(*parsed));
    }

private:
    LoadContext &ctx_;
    std::filesystem::path base_dir_;
    PluginSchemaSource *schemas_;
};

} // namespace helix::config
