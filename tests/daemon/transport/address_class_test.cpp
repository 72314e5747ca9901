#define BOOST_TEST_MODULE transport_address_class
#include <boost/test/unit_test.hpp>

#include "daemon/transport/address_class.hpp"

#include <string>
#include <utility>
#include <vector>

using helix::transport::AddressClass;
using helix::transport::classify;

namespace {

AddressClass of(const std::string &text) { return classify(boost::asio::ip::make_address(text)); }

void expect(const std::vector<std::pair<std::string, AddressClass>> &cases) {
    for (const auto &[address, want] : cases) BOOST_TEST((of(address) == want), address);
}

} // namespace

BOOST_AUTO_TEST_CASE(ipv4_ranges) {
    expect({
        {"0.0.0.0", AddressClass::unspecified},
        {"0.1.2.3", AddressClass::unspecified},
        {"127.0.0.1", AddressClass::loopback},
        {"127.255.255.254", AddressClass::loopback},
        {"10.0.0.1", AddressClass::private_use},
        {"10.255.255.255", AddressClass::private_use},
        {"172.16.0.1", AddressClass::private_use},
        {"172.31.255.255", AddressClass::private_use},
        {"192.168.1.1", AddressClass::private_use},
        {"169.254.169.254", AddressClass::link_local}, // cloud instance metadata
        {"169.254.0.1", AddressClass::link_local},
        {"100.64.0.1", AddressClass::shared},
        {"100.127.255.255", AddressClass::shared},
        {"224.0.0.1", AddressClass::multicast},
        {"239.255.255.250", AddressClass::multicast},
        {"240.0.0.1", AddressClass::reserved},
        {"255.255.255.255", AddressClass::reserved},
        {"192.0.2.1", AddressClass::reserved},
        {"198.18.0.1", AddressClass::reserved},
        {"198.51.100.7", AddressClass::reserved},
        {"203.0.113.9", AddressClass::reserved},
        {"192.0.0.8", AddressClass::reserved},
        // Just outside the ranges.
        {"172.15.255.255", AddressClass::global},
        {"172.32.0.1", AddressClass::global},
        {"100.63.255.255", AddressClass::global},
        {"100.128.0.1", AddressClass::global},
        {"169.253.255.255", AddressClass::global},
        {"11.0.0.1", AddressClass::global},
        {"8.8.8.8", AddressClass::global},
        {"1.1.1.1", AddressClass::global},
        {"223.255.255.255", AddressClass::global},
    });
}

BOOST_AUTO_TEST_CASE(ipv6_ranges) {
    expect({
        {"::", AddressClass::unspecified},
        {"::1", AddressClass::loopback},
        {"fc00::1", AddressClass::private_use},
        {"fd12:3456::1", AddressClass::private_use},
        {"fd00:ec2::254", AddressClass::private_use}, // EC2's IPv6 metadata service
        {"fe80::1", AddressClass::link_local},
        {"febf::1", AddressClass::link_local},
        {"fec0::1", AddressClass::reserved},
        {"ff02::1", AddressClass::multicast},
        {"2001:db8::1", AddressClass::reserved},
        {"100::1", AddressClass::reserved},
        {"2606:4700:4700::1111", AddressClass::global},
        {"2a00:1450:4001::1", AddressClass::global},
        {"fbff::1", AddressClass::global},
    });
}

// IPv6 forms that carry an IPv4 address are judged by it.
BOOST_AUTO_TEST_CASE(ipv6_forms_of_ipv4_addresses) {
    expect({
        {"::ffff:127.0.0.1", AddressClass::loopback},
        {"::ffff:7f00:1", AddressClass::loopback},
        {"::ffff:169.254.169.254", AddressClass::link_local},
        {"::ffff:10.1.2.3", AddressClass::private_use},
        {"::ffff:192.168.0.1", AddressClass::private_use},
        {"::ffff:100.64.1.1", AddressClass::shared},
        {"::ffff:224.0.0.1", AddressClass::multicast},
        {"::ffff:0.0.0.0", AddressClass::unspecified},
        {"::127.0.0.1", AddressClass::loopback},     // compatible (deprecated)
        {"::169.254.169.254", AddressClass::link_local},
        {"64:ff9b::7f00:1", AddressClass::loopback}, // NAT64
        {"64:ff9b::a9fe:a9fe", AddressClass::link_local},
        {"2002:7f00:1::1", AddressClass::loopback},  // 6to4
        {"2002:a00:1::", AddressClass::private_use},
        {"::ffff:8.8.8.8", AddressClass::global},
        {"64:ff9b::808:808", AddressClass::global},
        {"2002:808:808::1", AddressClass::global},
    });
}

BOOST_AUTO_TEST_CASE(names_for_messages) {
    BOOST_TEST(std::string(to_string(AddressClass::link_local)) == "link-local");
    BOOST_TEST(std::string(to_string(AddressClass::loopback)) == "loopback");
    BOOST_TEST(std::string(to_string(AddressClass::global)) == "public");
}
