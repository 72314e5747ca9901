#pragma once
// A real redis-server for a test, on a free loopback port, with no
// persistence: started by the constructor, killed by the destructor. It can
// be stopped (SIGSTOP), resumed, killed and started again on the same port.
// With TLS it serves TLS only (as managed Redis services do on their TLS
// port), optionally asking clients for a certificate.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace helix::test {

// A loopback port nobody listens on at the moment.
inline std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

struct RedisTls {
    std::string cert_file, key_file; // the server's
    std::string ca_file;             // trusted for client certificates
    bool client_certificates = false; // tls-auth-clients yes
};

struct RedisOptions {
    std::string password; // requirepass, or the ACL user's
    std::string user;     // an ACL user with every right (the default user then needs the password too)
    std::optional<RedisTls> tls;
};

class RedisServer {
public:
    explicit RedisServer(std::string password = "") : RedisServer(RedisOptions{std::move(password), "", std::nullopt}) {}
    explicit RedisServer(RedisOptions options) : port_(free_loopback_port()), options_(std::move(options)) { start(); }
    ~RedisServer() { kill(); }
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    std::uint16_t port() const { return port_; }
    // rediss:// names localhost, the name the test certificates carry.
    std::string url() const {
        return (options_.tls ? "rediss://localhost:" : "redis://127.0.0.1:") + std::to_string(port_);
    }

    void start() {
        const std::string port = std::to_string(port_);
        std::vector<std::string> args{"redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                      "--daemonize", "no", "--loglevel", "warning"};
        if (const auto &tls = options_.tls)
            args.insert(args.end(), {"--port", "0", "--tls-port", port, "--tls-cert-file", tls->cert_file,
                                     "--tls-key-file", tls->key_file, "--tls-ca-cert-file", tls->ca_file,
                                     "--tls-auth-clients", tls->client_certificates ? "yes" : "no"});
        else
            args.insert(args.end(), {"--port", port});
        if (!options_.password.empty()) args.insert(args.end(), {"--requirepass", options_.password});
        if (!options_.user.empty())
            args.insert(args.end(), {"--user", options_.user, "on", ">" + options_.password, "~*", "&*", "+@all"});
        pid_ = ::fork();
        if (pid_ == 0) {
            std::vector<char *> argv;
            for (auto &a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execvp("redis-server", argv.data());
            ::_exit(127);
        }
        // Ready once it accepts connections.
        for (int i = 0; i < 500; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a.sin_port = htons(port_);
            const bool up = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
            ::close(fd);
            if (up) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
    }
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGCONT);
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    void stop() const { ::kill(pid_, SIGSTOP); }
    void resume() const { ::kill(pid_, SIGCONT); }
    bool running() const { return pid_ > 0; }

private:
    std::uint16_t port_;
    RedisOptions options_;
    pid_t pid_ = -1;
};

} // namespace helix::test
