#pragma once
// Runs one plugin library through what helixagentd will do with it, outside
// the daemon and without a network: load and ABI negotiation (the daemon's
// own loader), settings validation, create and list_models, the standard
// canonical requests through prepare(), canned upstream replies through
// decode() whole, byte by byte and in random pieces, and all of it again
// from many threads at once. Findings go to a Report.

#include "tools/plugin_check/report.hpp"

#include "daemon/plugins/provider_instance.hpp"

#include <string>
#include <vector>

namespace helix::plugin_check {

struct Options {
    std::string plugin_path;
    std::string settings_json = "{}";     // the provider's settings: map, as JSON
    std::vector<std::string> reply_files; // sample replies of the plugin's protocol
    unsigned threads = 8;
    unsigned rounds = 5; // full passes per thread
};

class PluginChecker {
public:
    PluginChecker(Options options, Report &report) : options_(std::move(options)), report_(report) {}
    void run();

private:
    bool load();
    bool validate_settings();
    bool create();
    // Every prepare and decode case once; one line per case describing its
    // outcome. With a report, findings are reported; without, only computed.
    std::vector<std::string> run_cases(Report *report) const;
    void stress(const std::vector<std::string> &baseline);

    Options options_;
    Report &report_;
    plugins::PluginLibraryPtr library_;
    plugins::ProviderInstancePtr provider_;
    std::vector<std::string> secrets_; // secret-looking settings values
};

} // namespace helix::plugin_check
