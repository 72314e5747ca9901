#pragma once
// Certificates for TLS tests, made by the openssl command in a temporary
// directory: a test CA, a server certificate it signs (for localhost and
// upstream.test), and a second CA and certificate nobody trusts.

#include <boost/asio/ssl/context.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace helix::test {

class TestPki {
public:
    TestPki() : dir_(std::filesystem::temp_directory_path() / ("helix-pki-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "san.ext") << "subjectAltName=DNS:localhost,DNS:upstream.test\n";
        for (const std::string ca : {"ca", "rogue"}) {
            run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=helix-" +
                ca + " -keyout " + path(ca + ".key") + " -out " + path(ca + ".pem"));
            run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout " +
                path(ca + "-server.key") + " -out " + path(ca + "-server.csr"));
            run("openssl x509 -req -days 1 -in " + path(ca + "-server.csr") + " -CA " + path(ca + ".pem") + " -CAkey " +
                path(ca + ".key") + " -CAcreateserial -extfile " + path("san.ext") + " -out " + path(ca + "-server.pem"));
        }
    }
    ~TestPki() { std::filesystem::remove_all(dir_); }

    std::string ca_file() const { return path("ca.pem"); }
    std::string rogue_ca_file() const { return path("rogue.pem"); }
    // The server certificate and its key as files (for a server run by the
    // test); with no extended key usage, it serves as a client's too.
    std::string cert_file(bool rogue = false) const { return path(rogue ? "rogue-server.pem" : "ca-server.pem"); }
    std::string key_file(bool rogue = false) const { return path(rogue ? "rogue-server.key" : "ca-server.key"); }

    // A server context presenting the test CA's certificate (or the rogue CA's).
    std::shared_ptr<boost::asio::ssl::context> server_context(bool rogue = false) const {
        const std::string who = rogue ? "rogue" : "ca";
        auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
        context->use_certificate_chain_file(path(who + "-server.pem"));
        context->use_private_key_file(path(who + "-server.key"), boost::asio::ssl::context::pem);
        return context;
    }

private:
    std::string path(const std::string &name) const { return (dir_ / name).string(); }
    static void run(const std::string &command) {
        if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + command);
    }
    std::filesystem::path dir_;
};

} // namespace helix::test
