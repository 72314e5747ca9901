#pragma once
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read as curl and the cloud SDKs read
// them: lower-case names win, NO_PROXY lists hosts or domain suffixes ("*" =
// all), and loopback is never proxied unless asked for explicitly. Metadata
// and credential endpoints (169.254.0.0/16, fd00:ec2::/64,
// metadata.google.internal) are never proxied at all.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace helix::transport {

struct Proxy {
    std::string host;
    std::uint16_t port = 0;
    std::string username;
    std::string password;
};

class ProxySettings {
public:
    static ProxySettings from_environment(const std::map<std::string, std::string> &env);

    // The proxy to use for a connection to host, or nullopt for a direct one.
    std::optional<Proxy> for_host(const std::string &host, bool tls) const;

private:
    std::optional<Proxy> https_;
    std::optional<Proxy> http_;
    std::vector<std::string> no_proxy_;
    bool no_proxy_all_ = false;
};

} // namespace helix::transport
