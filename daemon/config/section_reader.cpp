#include "daemon/config/section_reader.hpp"

#include "daemon/config/syntax.hpp"

namespace helix::config {

Entries SectionReader::collect(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                               std::initializer_list<std::string_view> allowed) {
    Entries entries;
    ctx_.for_each_entry(key, map, section, allowed,
                        [&](const std::string &name, const YAML::Node &key_node, const YAML::Node &value) {
                            entries.emplace(name, Entry{key_node, value});
                        });
    return entries;
}

const Entry *SectionReader::find(const Entries &entries, const std::string &name) {
    const auto found = entries.find(name);
    return found == entries.end() ? nullptr : &found->second;
}

std::string SectionReader::join(const std::string &section, const std::string &key) {
    return section.empty() ? key : section + "." + key;
}

std::optional<Scalar> SectionReader::scalar(const Entry &entry, const std::string &path, const std::string &key) {
    return ctx_.scalar(entry.key, entry.value, path, is_secret_name(key));
}

void SectionReader::bad_value(const Scalar &value, const std::string &path, const std::string &expected) {
    ctx_.report(value.line, path + ": expected " + expected + ", got " + value.shown());
}

} // namespace helix::config
