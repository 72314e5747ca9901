#define BOOST_TEST_MODULE process_runner
#include <boost/test/unit_test.hpp>

#include "daemon/plugins/host_services.hpp"
#include "daemon/plugins/non_blocking_thread.hpp"
#include "daemon/plugins/process_runner.hpp"

#include <helixagent/plugin.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <sstream>
#include <unistd.h>

using namespace helix;
using plugins::run_process;
using plugins::split_command_line;
using Words = std::vector<std::string>;
using namespace std::chrono_literals;

namespace {

plugins::ProcessOutcome sh(const std::string &script, std::chrono::milliseconds timeout = 10s,
                           std::vector<std::pair<std::string, std::string>> env = {}) {
    return run_process({"sh", "-c", script}, env, timeout);
}

} // namespace

BOOST_AUTO_TEST_CASE(command_lines_split_like_a_shell_without_expansion) {
    BOOST_TEST(*split_command_line("aws-vault export --format=json  corp") ==
                   (Words{"aws-vault", "export", "--format=json", "corp"}),
               boost::test_tools::per_element());
    BOOST_TEST(*split_command_line(R"(/opt/my tool/x 'a b' "c \"d\" \$HOME" e\ f '')") ==
                   (Words{"/opt/my", "tool/x", "a b", "c \"d\" $HOME", "e f", ""}),
               boost::test_tools::per_element());
    BOOST_TEST(*split_command_line(R"("/opt/my tool/x" $HOME)") == (Words{"/opt/my tool/x", "$HOME"}),
               boost::test_tools::per_element());
    BOOST_TEST(split_command_line("  ")->empty());
    BOOST_TEST(!split_command_line("'open"));
    BOOST_TEST(!split_command_line("\"open"));
    BOOST_TEST(!split_command_line("trailing\\"));
}

BOOST_AUTO_TEST_CASE(a_program_gives_its_exit_code_stdout_and_stderr) {
    const auto o = sh("echo out; echo err >&2; exit 3");
    BOOST_TEST_REQUIRE(o.status == HELIX_OK, o.problem);
    BOOST_TEST(o.exit_code == 3);
    BOOST_TEST(o.out == "out\n");
    BOOST_TEST(o.err == "err\n");
    const auto env = sh("printf %s \"$HELIX_PROCESS_TEST\"", 10s, {{"HELIX_PROCESS_TEST", "from the plugin"}});
    BOOST_TEST(env.out == "from the plugin");
    BOOST_TEST(sh("cat").out.empty()); // stdin is /dev/null: nothing waits for input
    const auto big_err = sh("head -c 100000 /dev/zero >&2; echo done");
    BOOST_TEST(big_err.err.size() == plugins::kMaxProcessStderr);
    BOOST_TEST(big_err.out == "done\n");
}

BOOST_AUTO_TEST_CASE(a_missing_program_or_a_flood_of_output_is_a_configuration_error) {
    const auto missing = run_process({"helix-no-such-credential-helper"}, {}, 10s);
    BOOST_TEST(missing.status == HELIX_ERR_CONFIG);
    BOOST_TEST(missing.problem.find("helix-no-such-credential-helper") != std::string::npos, missing.problem);
    BOOST_TEST(run_process({}, {}, 1s).status == HELIX_ERR_CONFIG);
    const auto flood = sh("head -c 3000000 /dev/zero");
    BOOST_TEST(flood.status == HELIX_ERR_CONFIG);
    BOOST_TEST(flood.problem.find("1 MiB") != std::string::npos, flood.problem);
}

BOOST_AUTO_TEST_CASE(a_program_that_hangs_is_killed_with_its_children) {
    const auto start = std::chrono::steady_clock::now();
    // The background sleep keeps the pipes open after the shell exits: only
    // killing the process group ends it.
    const auto o = sh("sleep 60 & echo started; wait", 500ms);
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.problem.find("killed") != std::string::npos, o.problem);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 20s));
}

BOOST_AUTO_TEST_CASE(the_child_gets_no_daemon_descriptor_and_no_blocked_signal) {
    const int leaked = ::open("/dev/null", O_RDONLY); // not close-on-exec, like a socket a library opened
    BOOST_TEST_REQUIRE(leaked >= 0);
    const auto fds = sh("ls /proc/self/fd");
    ::close(leaked);
    std::istringstream lines(fds.out);
    int count = 0;
    for (std::string line; std::getline(lines, line);) {
        ++count;
        BOOST_TEST(std::stoi(line) <= 3, line); // 0, 1, 2 and ls's own directory
    }
    BOOST_TEST(count <= 4);

    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, &old); // as every daemon thread does
    const auto o = sh("kill -TERM $$; sleep 5; echo survived");
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    BOOST_TEST(o.exit_code == 128 + SIGTERM);
    BOOST_TEST(o.out.empty());
}

BOOST_AUTO_TEST_CASE(the_host_service_splits_the_command_and_never_blocks_a_loop) {
    plugins::HostServices services("p", "{}", nullptr);
    const helix::sdk::Host host(services.table());
    BOOST_TEST(host.runs_processes());
    const auto r = host.run_process("sh -c 'printf \"%s:%s\" \"$1\" \"$V\"' sh 'one word'", {{"V", "x"}}, 5s);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "one word:x");
    try {
        host.run_process("sh -c 'exit 0", {}, 5s);
        BOOST_FAIL("an unterminated quote ran");
    } catch (const helix::sdk::Error &e) {
        BOOST_TEST(e.status() == HELIX_ERR_CONFIG);
    }
    const plugins::NonBlockingScope loop;
    try {
        host.run_process("true", {}, 5s);
        BOOST_FAIL("run_process blocked an event loop");
    } catch (const helix::sdk::Error &e) {
        BOOST_TEST(e.status() == HELIX_ERR_WOULD_BLOCK);
    }
}
