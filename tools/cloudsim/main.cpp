// helix-cloudsim: local, faithful simulators of the cloud LLM APIs for tests,
// benchmarks and the demo. See tools/cloudsim/README.md.

#include "tools/cloudsim/options.hpp"
#include "tools/cloudsim/provider_registry.hpp"
#include "tools/cloudsim/sim_server.hpp"

#include <Poco/Exception.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <pthread.h>
#include <sys/resource.h>
#include <signal.h>
#include <thread>
#include <unistd.h>

namespace {

// Blocks the stop signals in this thread and every thread started later, so
// that sigwait() below is the only place that receives them.
sigset_t block_stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

// Stops the simulator (as SIGTERM would) once process `pid` has gone, so a
// crashed test runner does not leave it behind.
void watch_process(long pid) {
    std::thread([pid] {
        while (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
        ::kill(::getpid(), SIGTERM);
    }).detach();
}

// Each connection holds a socket: raise the open-files limit to its hard
// maximum and say so when --max-connections cannot be reached.
void raise_file_limit(int max_connections) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur != RLIM_INFINITY && static_cast<rlim_t>(max_connections) > limit.rlim_cur) {
        std::cerr << "helix-cloudsim: open-files limit " << limit.rlim_cur << " caps connections below --max-connections "
                  << max_connections << '\n';
    }
}

} // namespace

int main(int argc, char **argv) {
    using namespace helix::cloudsim;
    std::signal(SIGPIPE, SIG_IGN);
    const auto modules = provider_modules();

    SimOptions options;
    try {
        options = parse_options(std::vector<std::string>(argv + 1, argv + argc), modules);
    } catch (const UsageError &e) {
        std::cerr << "helix-cloudsim: " << e.what() << "\n\n" << usage_text(modules);
        return 2;
    }
    if (options.help) {
        std::cout << usage_text(modules);
        return 0;
    }

    raise_file_limit(options.server.max_connections);
    const sigset_t stop_signals = block_stop_signals();
    try {
        SimServer server(options.server);
        for (const auto &launch : options.providers) server.add(launch.module->create(launch.options), launch.port);
        server.start();
        if (options.watch_pid > 0) watch_process(options.watch_pid);
        std::cout << server.ports_json() << std::endl; // the one line scripts and tests wait for

        int signal = 0;
        sigwait(&stop_signals, &signal);
        // A connection that does not end promptly must not keep the process alive.
        std::thread([] {
            std::this_thread::sleep_for(std::chrono::seconds(5));
            std::_Exit(0);
        }).detach();
        server.stop();
    } catch (const Poco::Exception &e) {
        std::cerr << "helix-cloudsim: " << e.displayText() << '\n';
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "helix-cloudsim: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
