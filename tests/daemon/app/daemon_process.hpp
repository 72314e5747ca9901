#pragma once
// Runs helixagentd as a child process for end-to-end tests: starts it, reads
// its log until it listens, sends it signals and waits for its exit.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <cctype>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <thread>
#include <vector>

namespace helix::test {

inline std::string daemon_binary() { return std::string(HELIX_BINARY_DIR) + "/daemon/helixagentd"; }

#ifndef HELIX_TEST_LOG_DIR
#define HELIX_TEST_LOG_DIR HELIX_BINARY_DIR "/test-logs"
#endif

// A new file under the suite's log directory, which tests/logs scans for
// secrets after the run: <test program>-<pid>-<n><suffix>.
inline std::filesystem::path new_test_log_path(const std::string &suffix = ".log") {
    static std::atomic<int> counter{0};
    const std::filesystem::path dir = HELIX_TEST_LOG_DIR;
    std::filesystem::create_directories(dir);
    return dir / (std::string(program_invocation_short_name) + "-" + std::to_string(::getpid()) + "-" +
                  std::to_string(++counter) + suffix);
}

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // names lower-cased
};

// One request on a fresh connection; response header names are lower-cased.
inline HttpResult http_request(const std::string &method, std::uint16_t port, const std::string &path,
                               const std::string *body, const std::map<std::string, std::string> &headers) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(20, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (body != nullptr) {
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body->size()));
    }
    for (const auto &[name, value] : headers) request.set(name, value);
    std::ostream &out = session.sendRequest(request);
    if (body != nullptr) out << *body;
    Poco::Net::HTTPResponse response;
    std::istream &in = session.receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    for (const auto &[name, value] : response) {
        std::string lower = name;
        for (char &c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        result.headers[lower] = value;
    }
    Poco::StreamCopier::copyToString(in, result.body);
    return result;
}

inline HttpResult http_get(std::uint16_t port, const std::string &path,
                           const std::map<std::string, std::string> &headers = {}) {
    return http_request(Poco::Net::HTTPRequest::HTTP_GET, port, path, nullptr, headers);
}

inline HttpResult http_post(std::uint16_t port, const std::string &path, const std::string &body,
                            const std::map<std::string, std::string> &headers = {}) {
    return http_request(Poco::Net::HTTPRequest::HTTP_POST, port, path, &body, headers);
}

// A temporary directory removed at scope exit.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "helix-test-XXXXXX").string();
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string file(const std::string &name, const std::string &content) const {
        const auto p = path_ / name;
        std::ofstream(p) << content;
        return p.string();
    }
    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
};

class DaemonProcess {
public:
    explicit DaemonProcess(std::vector<std::string> args, const Poco::Process::Env &env = {})
        // stdout too goes into the log pipe (an access log on stdout is logged with
        // the rest): a daemon left behind by a crashed test then holds no pipe of
        // ctest's, which would otherwise wait for it until the test's timeout.
        : handle_(Poco::Process::launch(daemon_binary(), args, nullptr, &log_pipe_, &log_pipe_, env)),
          log_stream_(log_pipe_), log_file_(new_test_log_path()) {
        // The log is read all the time, so a chatty daemon never blocks on a full pipe.
        reader_ = std::thread([this] {
            std::string line;
            while (std::getline(log_stream_, line)) {
                log_file_ << line << '\n' << std::flush;
                std::lock_guard lock(mutex_);
                log_text_ += line + "\n";
                changed_.notify_all();
            }
            std::lock_guard lock(mutex_);
            log_closed_ = true;
            changed_.notify_all();
        });
    }

    ~DaemonProcess() {
        if (!exited_) {
            ::kill(pid(), SIGKILL);
            int status = 0;
            ::waitpid(pid(), &status, 0);
        }
        reader_.join();
    }

    int pid() const { return handle_.id(); }

    // Waits for "listening on HOST:PORT" in the log; returns the port.
    std::uint16_t wait_until_listening() {
        const std::string marker = "listening on ";
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(30),
                          [&] { return log_closed_ || log_text_.find(marker) != std::string::npos; });
        const auto at = log_text_.find(marker);
        if (at == std::string::npos) {
            BOOST_FAIL("helixagentd did not start listening; its log:\n" + log_text_);
            return 0;
        }
        const auto line_end = log_text_.find('\n', at);
        const std::string line = log_text_.substr(at, line_end - at);
        return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    }

    // Waits until the log has a line containing text after the part already
    // consumed by earlier waits (or the log ends, or 30 s pass).
    bool wait_for_log(const std::string &text) {
        std::unique_lock lock(mutex_);
        std::size_t found = std::string::npos;
        changed_.wait_for(lock, std::chrono::seconds(30), [&] {
            found = log_text_.find(text, consumed_);
            return found != std::string::npos || log_closed_;
        });
        if (found == std::string::npos) return false;
        consumed_ = found + text.size();
        return true;
    }

    void signal(int sig) const { ::kill(pid(), sig); }

    // The exit status, or nullopt if still running after timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid(), &status, WNOHANG) == pid()) {
                exited_ = true;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return std::nullopt;
    }

    std::string rest_of_log_so_far() const {
        std::lock_guard lock(mutex_);
        return log_text_;
    }

    // The whole log, once the daemon has closed it (exited).
    std::string rest_of_log() {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(30), [&] { return log_closed_; });
        return log_text_;
    }

private:
    Poco::Pipe log_pipe_;
    Poco::ProcessHandle handle_;
    Poco::PipeInputStream log_stream_;
    std::ofstream log_file_; // written by the reader thread only
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string log_text_;
    std::size_t consumed_ = 0;
    bool log_closed_ = false;
    bool exited_ = false;
    std::thread reader_;
};

// Runs the daemon to completion (e.g. --check-config) and returns exit code and output.
struct RunResult {
    int exit_code = -1;
    std::string output;
};

inline RunResult run_daemon(const std::vector<std::string> &args, const Poco::Process::Env &env = {}) {
    Poco::Pipe out;
    Poco::ProcessHandle handle = Poco::Process::launch(daemon_binary(), args, nullptr, &out, &out, env);
    Poco::PipeInputStream in(out);
    RunResult result;
    Poco::StreamCopier::copyToString(in, result.output);
    result.exit_code = handle.wait();
    std::ofstream(new_test_log_path()) << result.output;
    return result;
}

} // namespace helix::test
