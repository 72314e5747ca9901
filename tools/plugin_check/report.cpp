#include "tools/plugin_check/report.hpp"

#include <algorithm>
#include <ostream>

namespace helix::plugin_check {

void Report::pass(const std::string &check, const std::string &detail) { add(Level::pass, check, detail); }
void Report::warn(const std::string &check, const std::string &detail) { add(Level::warn, check, detail); }
void Report::fail(const std::string &check, const std::string &detail) { add(Level::fail, check, detail); }

void Report::add(Level level, const std::string &check, const std::string &detail) {
    std::lock_guard lock(mutex_);
    lines_.push_back({level, check, detail});
}

int Report::failures() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(lines_.begin(), lines_.end(), [](const Line &l) { return l.level == Level::fail; }));
}

int Report::warnings() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(lines_.begin(), lines_.end(), [](const Line &l) { return l.level == Level::warn; }));
}

void Report::print(std::ostream &out) const {
    const int failed = failures();
    const int warned = warnings();
    std::lock_guard lock(mutex_);
    for (const auto &line : lines_) {
        const char *tag = line.level == Level::pass ? "PASS" : line.level == Level::warn ? "WARN" : "FAIL";
        out << "  " << tag << "  " << line.check << ": " << line.detail << '\n';
    }
    out << "RESULT: " << (failed == 0 ? "PASS" : "FAIL") << " (" << failed << (failed == 1 ? " failure, " : " failures, ")
        << warned << (warned == 1 ? " warning)" : " warnings)") << '\n';
}

} // namespace helix::plugin_check
