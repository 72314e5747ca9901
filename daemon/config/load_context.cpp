#include "daemon/config/load_context.hpp"

#include <map>

namespace helix::config {

std::string Scalar::shown() const {
    if (!variables.empty()) {
        std::string names;
        for (const std::string &name : variables) {
            names += (names.empty() ? "" : ", ") + std::string{"${"} + name + "}";
        }
        return "the value of " + names + " (not shown)";
    }
    if (secret) {
        return "a secret value (not shown)";
    }
    return "'" + text + "'";
}

int LoadContext::line_of(const YAML::Node &node, int fallback) {
    const int line = node.Mark().line;
    return line >= 0 ? line + 1 : fallback;
}

int LoadContext::value_line(const YAML::Node &key, const YAML::Node &value) {
    const int key_line = line_of(key);
    return value.IsNull() ? key_line : line_of(value, key_line);
}

void LoadContext::report(int line, std::string reason) {
    issues_.push_back(ConfigIssue{file_, line, std::move(reason)});
}

void LoadContext::report_environment(std::string reason) {
    issues_.push_back(ConfigIssue{"environment", 0, std::move(reason)});
}

std::string_view LoadContext::kind_of(const YAML::Node &node) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Scalar:
        return "a single value";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return "nothing";
}

std::optional<Scalar> LoadContext::scalar(const YAML::Node &key, const YAML::Node &value, const std::string &path,
                                          bool secret_key) {
    return expand(value, value_line(key, value), path, secret_key);
}

std::optional<Scalar> LoadContext::item(const YAML::Node &value, const std::string &path, bool secret_key) {
    return expand(value, line_of(value), path, secret_key);
}

std::optional<Scalar> LoadContext::expand(const YAML::Node &value, int line, const std::string &path,
                                          bool secret_key) {
    if (!value.IsScalar()) {
        report(line, path + ": expected a single value, got " + std::string{kind_of(value)});
        return std::nullopt;
    }
    Expansion expansion = expand_env(value.Scalar(), env_);
    if (!expansion.ok) {
        report(line, path + ": " + expansion.error);
        return std::nullopt;
    }
    Scalar result;
    result.text = std::move(expansion.value);
    result.secret = secret_key || expansion.from_environment;
    result.plain = value.Tag() == "?";
    result.line = line;
    result.variables = std::move(expansion.variables);
    return result;
}

void LoadContext::for_each_entry(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                                 std::initializer_list<std::string_view> allowed, const Visitor &visit) {
    entries(key, map, section, &allowed, visit);
}

void LoadContext::for_each_free_entry(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                                      const Visitor &visit) {
    entries(key, map, section, nullptr, visit);
}

void LoadContext::entries(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                          const std::initializer_list<std::string_view> *allowed, const Visitor &visit) {
    if (map.IsNull()) {
        return;
    }
    const std::string where = section.empty() ? "at the top level" : "in '" + section + "'";
    if (!map.IsMap()) {
        const std::string what = section.empty() ? "the file" : "'" + section + "'";
        report(value_line(key, map), what + " must be a map, got " + std::string{kind_of(map)});
        return;
    }
    std::map<std::string, int> seen; // key -> line of its first occurrence
    for (const auto &entry : map) {
        const YAML::Node &key_node = entry.first;
        const YAML::Node &value = entry.second;
        const int line = line_of(key_node, line_of(map));
        if (!key_node.IsScalar()) {
            report(line, "keys " + where + " must be plain names, got " + std::string{kind_of(key_node)});
            continue;
        }
        const std::string &name = key_node.Scalar();
        if (const auto [first, inserted] = seen.emplace(name, line); !inserted) {
            report(line, "duplicate key '" + name + "' " + where + " (first at line " +
                             std::to_string(first->second) + ")");
            continue;
        }
        if (allowed != nullptr) {
            bool known = false;
            std::string expected;
            for (const std::string_view candidate : *allowed) {
                known = known || candidate == name;
                expected += (expected.empty() ? "" : ", ") + std::string{candidate};
            }
            if (!known) {
                report(line, "unknown key '" + name + "' " + where + " (expected one of: " + expected + ")");
                continue;
            }
        }
        visit(name, key_node, value);
    }
}

} // namespace helix::config
