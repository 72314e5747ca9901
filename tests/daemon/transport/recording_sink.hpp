#pragma once
// A blocking sink that keeps the response, for tests of UpstreamClient.

#include "daemon/transport/upstream_client.hpp"

#include <string>

namespace helix::test {

struct RecordingSink final : transport::ResponseSink {
    int status = 0;
    std::string body;
    bool on_head(int s, const transport::Headers &) override {
        status = s;
        return true;
    }
    bool on_body(const char *data, std::size_t len) override {
        body.append(data, len);
        return true;
    }
};

} // namespace helix::test
