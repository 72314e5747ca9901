#pragma once
// Upstream replies fed to a plugin's decode(): a generic set every plugin
// must survive (errors, throttling, empty and garbage bodies), and samples
// of its own protocol read from files, which must decode to content.
//
// A sample file is a raw HTTP response: "HTTP/1.1 200 OK", header lines, an
// empty line, then the body bytes as they are. A name containing ".stream."
// marks a reply to a streamed request.

#include <string>
#include <utility>
#include <vector>

namespace helix::plugin_check {

struct CannedReply {
    enum class Expect {
        survive,      // any outcome but an internal error
        error,        // a refusal (not OK), not an internal error
        retry,        // HELIX_ERR_RETRY: the host may fail over
        content,      // OK, with text or a tool call and a finish reason
    };
    std::string name;
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool stream = false;
    Expect expect = Expect::survive;
};

std::vector<CannedReply> generic_replies();

// Throws std::runtime_error naming the file and the problem.
CannedReply read_sample_reply(const std::string &path);

} // namespace helix::plugin_check
