#pragma once
// Configuration problems, all of them at once: an operator fixing a file
// should see every mistake in one run, not one per reload.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace helix::config {

struct ConfigIssue {
    std::string file; // the YAML file, or "environment" for an environment variable
    int line = 0;     // 1-based; 0 when the problem has no line (environment, unreadable file)
    std::string reason;

    // "file:line: reason", or "file: reason" when there is no line.
    std::string to_string() const {
        if (line > 0) {
            return file + ":" + std::to_string(line) + ": " + reason;
        }
        return file + ": " + reason;
    }
};

class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<ConfigIssue> issues)
        : std::runtime_error(describe(issues)), issues_(std::move(issues)) {}

    const std::vector<ConfigIssue> &issues() const noexcept { return issues_; }

private:
    // One issue per line, so what() alone is a complete log message.
    static std::string describe(const std::vector<ConfigIssue> &issues) {
        std::string text = issues.size() == 1 ? "invalid configuration: "
                                              : "invalid configuration (" + std::to_string(issues.size()) +
                                                    " problems):\n";
        for (std::size_t i = 0; i < issues.size(); ++i) {
            if (i > 0) {
                text += '\n';
            }
            text += issues[i].to_string();
        }
        return text;
    }

    std::vector<ConfigIssue> issues_;
};

} // namespace helix::config
