// helixagent-plugin-check: loads a provider plugin outside the daemon and
// checks it (see plugin_checker.hpp); prints a pass/fail report.
//   helixagent-plugin-check [--settings JSON | --settings-file FILE] [--reply FILE]... [--replies DIR]
//                           [--threads N] [--rounds N] PLUGIN.so
//   helixagent-plugin-check --describe [--format text|markdown|json] [--settings JSON | --settings-file FILE] PLUGIN.so
// Exit status: 0 every check passed, 1 a check failed, 2 bad usage.

#include "tools/plugin_check/describe.hpp"
#include "tools/plugin_check/plugin_checker.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

constexpr const char *usage =
    "usage: helixagent-plugin-check [options] PLUGIN.so\n"
    "  --describe             print the plugin's settings table and models instead of checking it\n"
    "  --format FORMAT        with --describe: text (default), markdown (for a docs page) or json\n"
    "  --settings JSON        the provider's settings (its settings: map in helixagent.yaml) as JSON; default {}\n"
    "  --settings-file FILE   the same, read from a JSON file\n"
    "  --reply FILE           a sample upstream reply (raw HTTP response; '.stream.' in the name: to a\n"
    "                         streamed request) that must decode to content; repeatable\n"
    "  --replies DIR          every *.http file in DIR, as --reply\n"
    "  --threads N            threads that repeat every case at once (default 8; 0: none)\n"
    "  --rounds N             rounds per thread (default 5)\n"
    "Exit status: 0 all checks passed, 1 a check failed, 2 bad usage.\n";

int bad_usage(const std::string &message) {
    std::cerr << "helixagent-plugin-check: " << message << "\n" << usage;
    return 2;
}

bool parse_count(const std::string &text, unsigned &out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out <= 1000;
}

} // namespace

int main(int argc, char **argv) {
    helix::plugin_check::Options options;
    bool describe = false;
    bool format_given = false;
    auto format = helix::plugin_check::DescribeFormat::text;
    std::vector<std::string> args(argv + 1, argv + argc);
    std::vector<std::string> positional;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        const auto value = [&]() -> const std::string * { return i + 1 < args.size() ? &args[++i] : nullptr; };
        if (arg == "-h" || arg == "--help") {
            std::cout << usage;
            return 0;
        } else if (arg == "--describe") {
            describe = true;
        } else if (arg == "--format") {
            const auto *v = value();
            if (v == nullptr || !helix::plugin_check::parse_describe_format(*v, format))
                return bad_usage("--format needs text, markdown or json");
            format_given = true;
        } else if (arg == "--settings") {
            const auto *v = value();
            if (v == nullptr) return bad_usage("--settings needs a JSON object");
            options.settings_json = *v;
        } else if (arg == "--settings-file") {
            const auto *v = value();
            if (v == nullptr) return bad_usage("--settings-file needs a file");
            std::ifstream in(*v);
            if (!in) return bad_usage("cannot read " + *v);
            std::ostringstream text;
            text << in.rdbuf();
            options.settings_json = text.str();
        } else if (arg == "--reply") {
            const auto *v = value();
            if (v == nullptr) return bad_usage("--reply needs a file");
            options.reply_files.push_back(*v);
        } else if (arg == "--replies") {
            const auto *v = value();
            if (v == nullptr) return bad_usage("--replies needs a directory");
            std::error_code error;
            std::vector<std::string> files;
            for (const auto &entry : std::filesystem::directory_iterator(*v, error))
                if (entry.path().extension() == ".http") files.push_back(entry.path().string());
            if (error) return bad_usage("cannot list " + *v + ": " + error.message());
            std::sort(files.begin(), files.end());
            options.reply_files.insert(options.reply_files.end(), files.begin(), files.end());
        } else if (arg == "--threads" || arg == "--rounds") {
            const auto *v = value();
            unsigned &target = arg == "--threads" ? options.threads : options.rounds;
            if (v == nullptr || !parse_count(*v, target)) return bad_usage(arg + " needs a number 0..1000");
        } else if (arg.starts_with("-")) {
            return bad_usage("unknown option " + arg);
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() != 1) return bad_usage("give exactly one plugin library");
    if (format_given && !describe) return bad_usage("--format goes with --describe");
    options.plugin_path = std::filesystem::absolute(positional.front()).lexically_normal().string();

    // Plugins log through the host; only their warnings and errors are shown.
    Poco::Logger::root().setLevel(Poco::Message::PRIO_WARNING);
    if (describe)
        return helix::plugin_check::describe(options.plugin_path, options.settings_json, format, std::cout, std::cerr);

    helix::plugin_check::Report report;
    std::cout << "helixagent-plugin-check " << options.plugin_path << '\n';
    try {
        helix::plugin_check::PluginChecker(options, report).run();
    } catch (const std::exception &e) {
        report.fail("check", std::string("stopped: ") + e.what());
    }
    report.print(std::cout);
    return report.failures() == 0 ? 0 : 1;
}
