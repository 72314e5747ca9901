#include "daemon/config/sections.hpp"

#include "daemon/config/syntax.hpp"

#include <algorithm>

namespace helix::config {
namespace {
// Below PTHREAD_STACK_MIN thread creation fails at run time; fail at load instead.
constexpr std::uint64_t kMinThreadStack = 16 * 1024;

void read_tls(SectionReader &r, const Entry &section, ServerSettings &server) {
    const Entries t = r.collect(section.key, section.value, "server.tls", {"cert_file", "key_file"});
    const bool both = SectionReader::find(t, "cert_file") != nullptr && SectionReader::find(t, "key_file") != nullptr;
    server.tls_cert_file = r.readable_file(t, "server.tls", "cert_file");
    server.tls_key_file = r.readable_file(t, "server.tls", "key_file");
    if (!both)
        r.ctx().report(LoadContext::line_of(section.value), "server.tls needs both cert_file and key_file");
}

} // namespace

void read_server_section(SectionReader &r, const Entry &section, ServerSettings &server) {
    const Entries e = r.collect(section.key, section.value, "server",
                                {"listen", "port", "max_connections", "max_queued_connections", "thread_stack",
                                 "max_body", "max_header", "read_timeout", "write_timeout", "keep_alive_timeout",
                                 "drain_timeout", "max_in_flight", "request_read_timeout", "auth_failure_limit",
                                 "auth_failure_block", "max_reply", "threads", "tls"});
    if (const Entry *entry = SectionReader::find(e, "listen")) {
        if (const auto value = r.scalar(*entry, "server.listen", "listen")) {
            if (is_listen_address(value->text)) {
                server.listen_address = value->text;
            } else {
                r.bad_value(*value, "server.listen", "an IPv4/IPv6 address or a host name");
            }
        }
    }
    if (const Entry *entry = SectionReader::find(e, "port")) {
        if (const auto value = r.scalar(*entry, "server.port", "port")) {
            if (const auto port = parse_port(value->text)) {
                server.port = *port;
            } else {
                r.bad_value(*value, "server.port", "a port number 0..65535");
            }
        }
    }
    r.read(e, "server", "max_connections", server.max_connections, whole_number(1));
    r.read(e, "server", "max_queued_connections", server.max_queued_connections, whole_number(0));
    r.read(e, "server", "thread_stack", server.thread_stack_bytes, byte_size(kMinThreadStack));
    r.read(e, "server", "threads", server.threads, whole_number(0));
    r.read(e, "server", "max_body", server.max_body_bytes, byte_size(1));
    r.read(e, "server", "max_header", server.max_header_bytes, byte_size(1));
    r.read(e, "server", "max_reply", server.max_reply_bytes, byte_size(1));
    r.read(e, "server", "read_timeout", server.read_timeout, duration(false));
    r.read(e, "server", "write_timeout", server.write_timeout, duration(false));
    r.read(e, "server", "keep_alive_timeout", server.keep_alive_timeout, duration(false));
    r.read(e, "server", "drain_timeout", server.drain_timeout, duration(true)); // 0: stop at once
    r.read(e, "server", "request_read_timeout", server.request_read_timeout, duration(false));
    r.read(e, "server", "auth_failure_limit", server.auth_failure_limit, whole_number(0));
    r.read(e, "server", "auth_failure_block", server.auth_failure_block, duration(false));
    if (const Entry *entry = SectionReader::find(e, "tls")) read_tls(r, *entry, server);
    if (const Entry *entry = SectionReader::find(e, "max_in_flight")) {
        r.read(e, "server", "max_in_flight", server.max_in_flight, whole_number(1));
        if (server.max_in_flight >= server.max_connections)
            r.ctx().report(LoadContext::line_of(entry->value),
                           "server.max_in_flight (" + std::to_string(server.max_in_flight) +
                               ") must be below server.max_connections (" + std::to_string(server.max_connections) +
                               "), so that a connection is left to refuse requests beyond it");
    } else if (server.max_in_flight >= server.max_connections) { // the default, under a smaller max_connections
        server.max_in_flight = std::max<std::size_t>(server.max_connections - 1, 1);
    }
}

} // namespace helix::config
