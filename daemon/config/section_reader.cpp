#include "daemon/config/section_reader.hpp"

#include "daemon/config/syntax.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

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

std::string SectionReader::readable_file(const Entries &entries, const std::string &section, const std::string &key) {
    const Entry *entry = find(entries, key);
    if (entry == nullptr) return {};
    const std::string path = join(section, key);
    const auto value = scalar(*entry, path, key);
    if (!value) return {};
    const auto file = resolve(value->text);
    std::error_code ec;
    const bool regular = !value->text.empty() && std::filesystem::is_regular_file(file, ec);
    if (!regular || ::access(file.c_str(), R_OK) != 0) {
        const std::string reason = regular ? std::strerror(errno) : "not a readable file";
        ctx_.report(value->line, path + ": cannot read '" + file.string() + "' (" + reason + ")");
        return {};
    }
    return file.string();
}

} // namespace helix::config
