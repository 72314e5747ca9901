#pragma once
// Reads Prometheus' text exposition format back in tests: each sample as its
// name, labels and value, and `promtool check metrics` on a whole scrape.

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace helix::test {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

// Every sample line (comments skipped). Throws on a line it cannot read.
inline std::vector<Sample> parse_exposition(const std::string &text) {
    std::vector<Sample> samples;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') continue;
        Sample s;
        std::size_t i = line.find_first_of("{ ");
        if (i == std::string::npos) throw std::runtime_error("bad sample line: " + line);
        s.name = line.substr(0, i);
        if (line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                const std::size_t eq = line.find("=\"", i);
                if (eq == std::string::npos) throw std::runtime_error("bad labels: " + line);
                const std::string key = line.substr(i, eq - i);
                std::string value;
                std::size_t j = eq + 2;
                for (; j < line.size() && line[j] != '"'; ++j) {
                    if (line[j] == '\\' && j + 1 < line.size()) {
                        ++j;
                        value += line[j] == 'n' ? '\n' : line[j];
                    } else {
                        value += line[j];
                    }
                }
                s.labels[key] = value;
                i = j + 1;
                if (i < line.size() && line[i] == ',') ++i;
            }
            ++i; // '}'
        }
        s.value = std::stod(line.substr(i + 1));
        samples.push_back(std::move(s));
    }
    return samples;
}

// The value of the sample with exactly this name and these labels; NaN
// (equal to nothing, printed by a failing BOOST_TEST) when there is none.
inline double sample_value(const std::string &text, const std::string &name,
                           const std::map<std::string, std::string> &labels = {}) {
    for (const auto &s : parse_exposition(text))
        if (s.name == name && s.labels == labels) return s.value;
    return std::numeric_limits<double>::quiet_NaN();
}

inline bool has_sample(const std::string &text, const std::string &name,
                       const std::map<std::string, std::string> &labels = {}) {
    for (const auto &s : parse_exposition(text))
        if (s.name == name && s.labels == labels) return true;
    return false;
}

// Every sample of one name.
inline std::vector<Sample> samples_named(const std::string &text, const std::string &name) {
    std::vector<Sample> out;
    for (auto &s : parse_exposition(text))
        if (s.name == name) out.push_back(std::move(s));
    return out;
}

inline std::optional<std::string> find_in_path(const std::string &program) {
    const char *path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    std::istringstream in(dirs);
    std::string dir;
    while (std::getline(in, dir, ':')) {
        const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return std::nullopt;
}

struct PromtoolResult {
    int exit_code = -1;
    std::string output; // stdout and stderr: problems and lint warnings
};

// `promtool check metrics` on a scrape. A missing promtool fails the test:
// it is a dependency, installed by scripts/install-deps.
inline PromtoolResult promtool_check_metrics(const std::string &scrape) {
    const auto promtool = find_in_path("promtool");
    if (!promtool)
        BOOST_FAIL("promtool is not installed (not found in PATH); run scripts/install-deps, which installs "
                   "Debian's prometheus package that provides it");
    Poco::Pipe in;
    Poco::Pipe out;
    Poco::ProcessHandle handle = Poco::Process::launch(*promtool, {"check", "metrics"}, &in, &out, &out);
    std::thread writer([&in, &scrape] {
        Poco::PipeOutputStream stream(in);
        stream << scrape;
        stream.close();
    });
    PromtoolResult result;
    Poco::PipeInputStream output(out);
    Poco::StreamCopier::copyToString(output, result.output);
    writer.join();
    result.exit_code = handle.wait();
    return result;
}

} // namespace helix::test
