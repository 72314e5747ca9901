#pragma once
// The upstream TLS settings of the configuration (upstream.verify_tls,
// upstream.ca_file).

#include <string>

namespace helix::transport {

struct TlsSettings {
    bool verify = true;
    std::string ca_file; // empty: the system's CA store
    std::string ca_file_setting = "upstream.ca_file"; // named in its errors
};

} // namespace helix::transport
