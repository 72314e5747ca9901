#define BOOST_TEST_MODULE app_core_dumps
#include <boost/test/unit_test.hpp>

#include "daemon/app/core_dumps.hpp"

#include <cstdlib>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// Runs disable_core_dumps() in a child (so this test process keeps its own
// settings) and returns the child's view: bit 0 dumpable, bit 1 core limit
// above zero, bit 2 the function's result.
int state_after_disabling(bool keep_dumpable) {
    const pid_t child = ::fork();
    if (child == 0) {
        if (keep_dumpable) ::setenv("HELIXAGENT_DUMPABLE", "1", 1);
        else ::unsetenv("HELIXAGENT_DUMPABLE");
        const bool disabled = helix::app::disable_core_dumps();
        rlimit cores{};
        ::getrlimit(RLIMIT_CORE, &cores);
        const int state = (::prctl(PR_GET_DUMPABLE) == 1 ? 1 : 0) | (cores.rlim_cur > 0 ? 2 : 0) | (disabled ? 4 : 0);
        ::_exit(state);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_process_becomes_non_dumpable_with_no_core_size) {
    rlimit cores{};
    ::getrlimit(RLIMIT_CORE, &cores);
    cores.rlim_cur = cores.rlim_max; // the child inherits cores allowed, so only the function can refuse them
    BOOST_TEST_REQUIRE(::setrlimit(RLIMIT_CORE, &cores) == 0);
    BOOST_TEST_REQUIRE(cores.rlim_cur != 0, "this machine allows no core dumps at all");
    BOOST_TEST_REQUIRE(::prctl(PR_GET_DUMPABLE) == 1);
    BOOST_TEST(state_after_disabling(false) == 4); // not dumpable, core limit 0
}

BOOST_AUTO_TEST_CASE(helixagent_dumpable_1_keeps_cores_for_debugging) {
    rlimit cores{};
    ::getrlimit(RLIMIT_CORE, &cores);
    cores.rlim_cur = cores.rlim_max;
    BOOST_TEST_REQUIRE(::setrlimit(RLIMIT_CORE, &cores) == 0);
    BOOST_TEST(state_after_disabling(true) == 3); // dumpable, cores allowed, reported as kept
}
