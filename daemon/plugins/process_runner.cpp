#include "daemon/plugins/process_runner.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace helix::plugins {

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Closes a descriptor once, when it goes out of scope.
class Fd {
public:
    Fd() = default;
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void assign(int fd) {
        reset();
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

bool make_pipe(Fd &read_end, Fd &write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end.assign(fds[0]);
    write_end.assign(fds[1]);
    return true;
}

int exit_code_of(int wstatus) {
    if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
    return -1;
}

// The environment of the child: the daemon's, with env's names replaced.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>> &env) {
    std::vector<std::string> out;
    for (char **e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const auto eq = entry.find('=');
        const std::string_view name = entry.substr(0, eq);
        bool replaced = false;
        for (const auto &[n, v] : env) replaced = replaced || n == name;
        if (!replaced) out.emplace_back(entry);
    }
    for (const auto &[n, v] : env) out.push_back(n + "=" + v);
    return out;
}

ProcessOutcome failed(helix_status status, std::string problem) {
    ProcessOutcome o;
    o.status = status;
    o.problem = std::move(problem);
    return o;
}

} // namespace

std::optional<std::vector<std::string>> split_command_line(std::string_view command) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < command.size(); ++i) {
        const char c = command[i];
        if (blank(c)) {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const auto end = command.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            word.append(command.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            for (++i;; ++i) {
                if (i >= command.size()) return std::nullopt;
                const char d = command[i];
                if (d == '"') break;
                if (d == '\\' && i + 1 < command.size() && std::strchr("\"\\$`", command[i + 1]) != nullptr) {
                    word += command[++i];
                } else {
                    word += d;
                }
            }
        } else if (c == '\\') {
            if (i + 1 >= command.size()) return std::nullopt;
            if (command[i + 1] != '\n') word += command[i + 1]; // a quoted newline continues the line
            ++i;
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

ProcessOutcome run_process(const std::vector<std::string> &argv,
                           const std::vector<std::pair<std::string, std::string>> &env,
                           std::chrono::milliseconds timeout) {
    if (argv.empty() || argv.front().empty()) return failed(HELIX_ERR_CONFIG, "the command is empty");
    Fd out_read, out_write, err_read, err_write;
    if (!make_pipe(out_read, out_write) || !make_pipe(err_read, err_write))
        return failed(HELIX_ERR_RETRY, std::string("cannot make a pipe: ") + std::strerror(errno));

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3); // the daemon's sockets and files stay its own
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);   // the daemon blocks its signals; the program must not inherit that
    posix_spawnattr_setsigdefault(&attr, &all); // nor SIGPIPE ignored
    posix_spawnattr_setpgroup(&attr, 0);        // its own group, killed as a whole on timeout
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> environment = child_environment(env);
    std::vector<char *> envp;
    for (auto &e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int spawn_error = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (spawn_error != 0)
        return failed(HELIX_ERR_CONFIG, "cannot start '" + argv.front() + "': " + std::strerror(spawn_error));
    out_write.reset();
    err_write.reset();

    ProcessOutcome outcome;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool out_open = true, err_open = true;
    std::optional<ProcessOutcome> stop;
    char buffer[16384];
    while ((out_open || err_open) && !stop) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            stop = failed(HELIX_ERR_RETRY, "'" + argv.front() + "' did not finish within " +
                                               std::to_string(timeout.count()) + " ms and was killed");
            break;
        }
        pollfd fds[2] = {{out_open ? out_read.get() : -1, POLLIN, 0}, {err_open ? err_read.get() : -1, POLLIN, 0}};
        const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) {
            stop = failed(HELIX_ERR_RETRY, std::string("poll failed: ") + std::strerror(errno));
            break;
        }
        for (int i = 0; i < 2 && ready > 0; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) {
                (i == 0 ? out_open : err_open) = false;
                continue;
            }
            if (i == 0) {
                if (outcome.out.size() + static_cast<std::size_t>(n) > kMaxProcessStdout) {
                    stop = failed(HELIX_ERR_CONFIG, "'" + argv.front() + "' wrote more than 1 MiB and was killed");
                    break;
                }
                outcome.out.append(buffer, static_cast<std::size_t>(n));
            } else if (outcome.err.size() < kMaxProcessStderr) {
                outcome.err.append(buffer, std::min(static_cast<std::size_t>(n), kMaxProcessStderr - outcome.err.size()));
            }
        }
    }
    // Both pipes closed: wait for the exit, still within the deadline.
    int wstatus = 0;
    while (!stop) {
        const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
        if (done == pid) {
            outcome.exit_code = exit_code_of(wstatus);
            return outcome;
        }
        if (done < 0 && errno != EINTR) return failed(HELIX_ERR_RETRY, std::string("waitpid failed: ") + std::strerror(errno));
        if (std::chrono::steady_clock::now() >= deadline)
            stop = failed(HELIX_ERR_RETRY, "'" + argv.front() + "' did not exit within " +
                                               std::to_string(timeout.count()) + " ms and was killed");
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    return *stop;
}

} // namespace helix::plugins
