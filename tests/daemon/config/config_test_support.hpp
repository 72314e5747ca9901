#pragma once
// What the configuration tests share: loading a YAML text as if it were the
// file test.yaml in /etc/helix, and the issues of a text that must not load.

#include "daemon/config/config_loader.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace helix::config::test {

inline const std::string kFile = "test.yaml";
inline const std::string kBaseDir = "/etc/helix";

inline ConfigPtr load(const std::string &text, const Environment &env = {}) {
    return load_config_from_string(text, kFile, kBaseDir, env);
}

// The issues a load that must fail raised (a test failure when it loads).
inline std::vector<ConfigIssue> raised_issues(const std::string &text, const Environment &env = {}) {
    try {
        load(text, env);
    } catch (const ConfigError &error) {
        return error.issues();
    }
    BOOST_FAIL("expected a ConfigError, the configuration loaded");
    return {};
}

// The same, required to be at least one.
inline std::vector<ConfigIssue> issues_of(const std::string &text, const Environment &env = {}) {
    std::vector<ConfigIssue> issues = raised_issues(text, env);
    BOOST_TEST_REQUIRE(!issues.empty());
    return issues;
}

// Issues as text, one "file:line: reason" a line, for messages and find().
inline std::string dump(const std::vector<ConfigIssue> &issues) {
    std::string text;
    for (const ConfigIssue &issue : issues) {
        text += "\n  " + issue.to_string();
    }
    return text;
}

// The issues of a text that must fail, as dump() writes them.
inline std::string issue_text(const std::string &text, const Environment &env = {}) {
    return dump(raised_issues(text, env));
}

} // namespace helix::config::test
