#include "daemon/transport/address_class.hpp"

#include <cstdint>

namespace helix::transport {

namespace {

namespace ip = boost::asio::ip;

bool in(std::uint32_t a, std::uint32_t network, int prefix) noexcept {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (a & mask) == (network & mask);
}

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) noexcept {
    return (a << 24) | (b << 16) | (c << 8) | d;
}

AddressClass classify_v4(std::uint32_t a) noexcept {
    if (in(a, v4(0, 0, 0, 0), 8)) return AddressClass::unspecified;
    if (in(a, v4(127, 0, 0, 0), 8)) return AddressClass::loopback;
    if (in(a, v4(10, 0, 0, 0), 8) || in(a, v4(172, 16, 0, 0), 12) || in(a, v4(192, 168, 0, 0), 16))
        return AddressClass::private_use;
    if (in(a, v4(169, 254, 0, 0), 16)) return AddressClass::link_local;
    if (in(a, v4(100, 64, 0, 0), 10)) return AddressClass::shared;
    if (in(a, v4(224, 0, 0, 0), 4)) return AddressClass::multicast;
    if (in(a, v4(240, 0, 0, 0), 4) || in(a, v4(192, 0, 0, 0), 24) || in(a, v4(192, 0, 2, 0), 24) ||
        in(a, v4(198, 18, 0, 0), 15) || in(a, v4(198, 51, 100, 0), 24) || in(a, v4(203, 0, 113, 0), 24))
        return AddressClass::reserved; // 240/4 holds 255.255.255.255
    return AddressClass::global;
}

std::uint32_t embedded_v4(const ip::address_v6::bytes_type &b, std::size_t at) noexcept {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
}

AddressClass classify_v6(const ip::address_v6 &address) noexcept {
    const ip::address_v6::bytes_type b = address.to_bytes();
    const auto zeros = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i)
            if (b[i] != 0) return false;
        return true;
    };
    if (zeros(0, 16)) return AddressClass::unspecified;
    if (zeros(0, 15) && b[15] == 1) return AddressClass::loopback;
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
    if (zeros(0, 10) && b[10] == 0xff && b[11] == 0xff) return classify_v4(embedded_v4(b, 12));
    if (zeros(0, 12)) return classify_v4(embedded_v4(b, 12));
    // NAT64's well-known prefix 64:ff9b::/96 and 6to4 2002:a.b.c.d::/48.
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zeros(4, 12)) return classify_v4(embedded_v4(b, 12));
    if (b[0] == 0x20 && b[1] == 0x02) return classify_v4(embedded_v4(b, 2));
    if ((b[0] & 0xfe) == 0xfc) return AddressClass::private_use;                  // fc00::/7
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::link_local;   // fe80::/10
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::reserved;     // fec0::/10, site-local
    if (b[0] == 0xff) return AddressClass::multicast;                             // ff00::/8
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressClass::reserved; // 2001:db8::/32
    if (b[0] == 0x01 && zeros(1, 8)) return AddressClass::reserved;               // 100::/64, discard
    return AddressClass::global;
}

} // namespace

AddressClass classify(const ip::address &address) noexcept {
    if (address.is_v4()) return classify_v4(address.to_v4().to_uint());
    return classify_v6(address.to_v6());
}

std::string_view to_string(AddressClass c) noexcept {
    switch (c) {
    case AddressClass::global:
        return "public";
    case AddressClass::unspecified:
        return "unspecified";
    case AddressClass::loopback:
        return "loopback";
    case AddressClass::private_use:
        return "private";
    case AddressClass::link_local:
        return "link-local";
    case AddressClass::shared:
        return "shared (carrier-grade NAT)";
    case AddressClass::multicast:
        return "multicast";
    case AddressClass::reserved:
        return "reserved";
    }
    return "reserved";
}

} // namespace helix::transport
