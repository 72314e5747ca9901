#pragma once
// Runs the credential programs a provider's configuration names (an AWS
// profile's credential_process, a Google executable source) for the host's
// run_process service: plugins never start processes, so the host does, with
// the rules of plugin_abi.h. No shell: the command line is split into words
// with POSIX quoting and the program is found on PATH. The child gets stdin
// from /dev/null, no descriptor of the daemon but its stdout and stderr pipes,
// default signal dispositions and an empty signal mask (the daemon blocks its
// signals), and its own process group, which is killed on timeout.

#include <helixagent/plugin_abi.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helix::plugins {

inline constexpr std::size_t kMaxProcessStdout = 1024 * 1024;
inline constexpr std::size_t kMaxProcessStderr = 4096;

// POSIX shell word splitting without expansion: blanks separate words, '...'
// is literal, "..." keeps its text with \" \\ \$ \` escapes, a bare \ quotes
// the next character. nullopt for an unterminated quote or a trailing \.
std::optional<std::vector<std::string>> split_command_line(std::string_view command);

struct ProcessOutcome {
    helix_status status = HELIX_OK; // HELIX_OK: the program ran to its end
    std::string problem;            // why not, without the program's output
    int exit_code = 0;              // 128 + n when signal n ended it
    std::string out, err;
};

// Runs argv[0] (looked up on PATH) with the daemon's environment plus env
// (replacing variables of the same name); blocks until it ends or timeout.
ProcessOutcome run_process(const std::vector<std::string> &argv,
                           const std::vector<std::pair<std::string, std::string>> &env,
                           std::chrono::milliseconds timeout);

} // namespace helix::plugins
