#pragma once
// What every part of the loader shares while reading one file: where problems
// are reported, the environment that ${...} references resolve against, and
// the rule that secret values never reach an error message.

#include "daemon/config/config_error.hpp"
#include "daemon/config/env_expand.hpp"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::config {

// A YAML scalar after ${...} expansion.
struct Scalar {
    std::string text;
    bool secret = false; // under a secret-looking key, or built from the environment
    bool plain = true;   // unquoted and untagged in the YAML (so typed when it looks like a number)
    int line = 0;
    std::vector<std::string> variables; // environment variables the text came from

    // The value as it may appear in an error: quoted, or a description that
    // names where it came from without showing it.
    std::string shown() const;
};

class LoadContext {
public:
    LoadContext(std::string file, const Environment &env) : file_(std::move(file)), env_(env) {}

    const std::string &file() const { return file_; }
    const Environment &env() const { return env_; }
    const std::vector<ConfigIssue> &issues() const { return issues_; }
    std::vector<ConfigIssue> take_issues() { return std::move(issues_); }

    // 1-based line of a node; `fallback` when the node has no position.
    static int line_of(const YAML::Node &node, int fallback = 0);
    // Where a map value should be blamed: an empty value has no useful mark
    // of its own (yaml-cpp points at the next token), so the key's line is used.
    static int value_line(const YAML::Node &key, const YAML::Node &value);

    void report(int line, std::string reason);
    void report_environment(std::string reason); // a problem with an environment variable

    // Reads a map value as one scalar with ${...} expanded. Reports (and
    // returns nullopt) when the value is missing, not a scalar, or has a bad
    // reference. `secret_key` marks values that must never be echoed.
    std::optional<Scalar> scalar(const YAML::Node &key, const YAML::Node &value, const std::string &path,
                                 bool secret_key);
    // Same for a sequence item, blamed at its own line.
    std::optional<Scalar> item(const YAML::Node &value, const std::string &path, bool secret_key);

    // Visits each entry of a map section. Reports non-map sections, non-scalar
    // and duplicate keys, and keys outside `allowed` ("unknown key 'x' in
    // 'server' (expected one of: ...)"); calls `visit` for the rest. A null
    // section (every child commented out) is an empty map.
    using Visitor = std::function<void(const std::string &key, const YAML::Node &key_node, const YAML::Node &value)>;
    void for_each_entry(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                        std::initializer_list<std::string_view> allowed, const Visitor &visit);
    // Same without a schema (free-form maps): only key shape and duplicates are checked.
    void for_each_free_entry(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                             const Visitor &visit);

    static std::string_view kind_of(const YAML::Node &node); // "a map", "a list", ...

private:
    std::optional<Scalar> expand(const YAML::Node &value, int line, const std::string &path, bool secret_key);
    void entries(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                 const std::initializer_list<std::string_view> *allowed, const Visitor &visit);

    std::string file_;
    const Environment &env_;
    std::vector<ConfigIssue> issues_;
};

} // namespace helix::config
