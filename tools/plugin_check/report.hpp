#pragma once
// The pass/fail report of helixagent-plugin-check: one line per check, then
// a verdict. Thread-safe, so checks running on many threads can add to it.

#include <iosfwd>
#include <mutex>
#include <string>
#include <vector>

namespace helix::plugin_check {

class Report {
public:
    enum class Level { pass, warn, fail };

    void pass(const std::string &check, const std::string &detail);
    void warn(const std::string &check, const std::string &detail);
    void fail(const std::string &check, const std::string &detail);

    int failures() const;
    int warnings() const;
    // Every line, then "RESULT: PASS|FAIL (...)".
    void print(std::ostream &out) const;

private:
    struct Line {
        Level level;
        std::string check;
        std::string detail;
    };
    void add(Level level, const std::string &check, const std::string &detail);

    mutable std::mutex mutex_;
    std::vector<Line> lines_;
};

} // namespace helix::plugin_check
