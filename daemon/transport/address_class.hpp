#pragma once
// What kind of address a fetch on a client's behalf would connect to, so
// that a URL cannot reach the gateway's own network (SSRF): only `global`
// addresses are fetched. IPv6 forms that embed an IPv4 address (mapped
// ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16)
// are judged by that IPv4 address.

#include <boost/asio/ip/address.hpp>

#include <string_view>

namespace helix::transport {

enum class AddressClass {
    global,      // routable on the internet
    unspecified, // 0.0.0.0/8, ::
    loopback,    // 127/8, ::1
    private_use, // 10/8, 172.16/12, 192.168/16, fc00::/7 (fd00:ec2::254 included)
    link_local,  // 169.254/16 (169.254.169.254, the cloud metadata service), fe80::/10
    shared,      // 100.64/10 (carrier-grade NAT)
    multicast,   // 224/4, ff00::/8
    reserved,    // 240/4 and broadcast, documentation, benchmarking, IETF protocol, fec0::/10, 100::/64
};

AddressClass classify(const boost::asio::ip::address &address) noexcept;

// "loopback", "private", ... for messages.
std::string_view to_string(AddressClass c) noexcept;

} // namespace helix::transport
