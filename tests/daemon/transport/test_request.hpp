#pragma once
// A plugin's upstream request as transport tests send it: a POST of "{}".

#include <helixagent/plugin_abi.h>

#include <string>

namespace helix::test {

struct Request {
    std::string url;
    std::string body = "{}";
    helix_http_request c{};
    explicit Request(std::string u) : url(std::move(u)) {
        c.struct_size = sizeof c;
        c.method = {"POST", 4};
        c.url = {url.data(), url.size()};
        c.body = {body.data(), body.size()};
    }
};

} // namespace helix::test
