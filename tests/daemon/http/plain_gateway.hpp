#pragma once
// helixagentd in front of a PlainTextUpstream, for the suites that drive the
// server over its socket: one client key, the plain_text plugin serving
// "plain-1", and the `server:` lines a test adds.

#include "../app/daemon_process.hpp"
#include "plain_text_upstream.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>

namespace helix::test {

// A chat completion's body for model plain-1 (whose upstream obeys the
// prompt's directives, see plain_text_upstream.hpp).
inline std::string plain_chat_body(const std::string &prompt, bool stream = false) {
    boost::json::object body{{"model", "plain-1"},
                             {"messages", boost::json::array{boost::json::object{{"role", "user"}, {"content", prompt}}}}};
    if (stream) body["stream"] = true;
    return boost::json::serialize(body);
}

struct PlainGateway {
    PlainTextUpstream upstream;
    TempDir dir;
    std::string client_key;
    std::unique_ptr<DaemonProcess> daemon;
    std::uint16_t port = 0;
    PlainGateway(std::string key, const std::string &server_extra) : client_key(std::move(key)) {
        const std::string config = "server:\n  listen: 127.0.0.1\n  port: 0\n" + server_extra + "api_keys: [" + client_key +
                                   "]\nplugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) +
                                   "/libhelix_plain_text.so\n    settings:\n      base_url: http://127.0.0.1:" +
                                   std::to_string(upstream.port()) + "/complete\n";
        daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{"--config", dir.file("helixagent.yaml", config)});
        port = daemon->wait_until_listening();
    }
    HttpResult chat(const std::string &prompt) const {
        return http_post(port, "/v1/chat/completions", plain_chat_body(prompt), {{"Authorization", "Bearer " + client_key}});
    }
};

} // namespace helix::test
