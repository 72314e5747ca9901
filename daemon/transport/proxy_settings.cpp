#include "daemon/transport/proxy_settings.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

namespace helix::transport {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string first_set(const std::map<std::string, std::string> &env, std::initializer_list<const char *> names) {
    for (const char *name : names)
        if (const auto it = env.find(name); it != env.end() && !it->second.empty()) return it->second;
    return {};
}

std::optional<Proxy> parse_proxy(const std::string &value) {
    if (value.empty()) return std::nullopt;
    try {
        const Poco::URI uri(value.find("://") == std::string::npos ? "http://" + value : value);
        if (uri.getHost().empty()) return std::nullopt;
        Proxy p;
        p.host = uri.getHost();
        p.port = uri.getPort();
        const std::string &info = uri.getUserInfo();
        const auto colon = info.find(':');
        p.username = info.substr(0, colon);
        if (colon != std::string::npos) p.password = info.substr(colon + 1);
        return p;
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
}

bool is_loopback(const std::string &host) {
    return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "[::1]";
}

// Instance metadata and credential endpoints (AWS IMDS and ECS, Azure IMDS,
// GCE's metadata server): their answers are credentials, which must never
// pass through a proxy, and no proxy could reach them anyway.
bool is_metadata_endpoint(std::string host) {
    if (host.ends_with('.')) host.pop_back();
    if (host == "metadata.google.internal") return true;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    if (ec) return false;
    if (address.is_v4()) return (address.to_v4().to_uint() >> 16) == ((169u << 8) | 254u); // 169.254.0.0/16
    auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) return is_metadata_endpoint(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string());
    const auto bytes = v6.to_bytes();
    constexpr std::array<unsigned char, 8> ec2_prefix{0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0}; // fd00:ec2::/64
    return std::equal(ec2_prefix.begin(), ec2_prefix.end(), bytes.begin());
}

} // namespace

ProxySettings ProxySettings::from_environment(const std::map<std::string, std::string> &env) {
    ProxySettings s;
    s.https_ = parse_proxy(first_set(env, {"https_proxy", "HTTPS_PROXY"}));
    s.http_ = parse_proxy(first_set(env, {"http_proxy", "HTTP_PROXY"}));
    std::stringstream list(first_set(env, {"no_proxy", "NO_PROXY"}));
    std::string item;
    while (std::getline(list, item, ',')) {
        item.erase(std::remove_if(item.begin(), item.end(), [](unsigned char c) { return std::isspace(c); }),
                   item.end());
        if (item == "*") s.no_proxy_all_ = true;
        if (!item.empty()) s.no_proxy_.push_back(lower(item));
    }
    return s;
}

std::optional<Proxy> ProxySettings::for_host(const std::string &host_in, bool tls) const {
    const auto &proxy = tls ? https_ : http_;
    if (!proxy || no_proxy_all_) return std::nullopt;
    const std::string host = lower(host_in);
    if (is_loopback(host) || is_metadata_endpoint(host)) return std::nullopt;
    for (std::string entry : no_proxy_) {
        if (entry.front() == '.') entry.erase(0, 1);
        if (host == entry || (host.size() > entry.size() && host.ends_with("." + entry))) return std::nullopt;
    }
    return proxy;
}

} // namespace helix::transport
