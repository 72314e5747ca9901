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

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
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
        : handle_(Poco::Process::launch(daemon_binary(), args, nullptr, nullptr, &log_pipe_, env)),
          log_(log_pipe_) {}

    ~DaemonProcess() {
        if (!exited_) {
            ::kill(pid(), SIGKILL);
            int status = 0;
            ::waitpid(pid(), &status, 0);
        }
    }

    int pid() const { return handle_.id(); }

    // Reads the log until "listening on HOST:PORT"; returns the port.
    std::uint16_t wait_until_listening() {
        std::string line;
        while (std::getline(log_, line)) {
            log_text_ += line + "\n";
            const auto at = line.find("listening on ");
            if (at != std::string::npos) return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
        }
        BOOST_FAIL("helixagentd exited before listening; its log:\n" + log_text_);
        return 0;
    }

    // Reads log lines until one contains text (or the log ends).
    bool wait_for_log(const std::string &text) {
        std::string line;
        while (std::getline(log_, line)) {
            log_text_ += line + "\n";
            if (line.find(text) != std::string::npos) return true;
        }
        return false;
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

    const std::string &rest_of_log_so_far() const { return log_text_; }

    std::string rest_of_log() {
        std::string rest;
        Poco::StreamCopier::copyToString(log_, rest);
        log_text_ += rest;
        return log_text_;
    }

private:
    Poco::Pipe log_pipe_;
    Poco::ProcessHandle handle_;
    Poco::PipeInputStream log_;
    std::string log_text_;
    bool exited_ = false;
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
    return result;
}

} // namespace helix::test
