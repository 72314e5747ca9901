#include "daemon/config/sections.hpp"

#include <charconv>

namespace helix::config {

namespace {

bool parse_number(std::string_view text, std::uint64_t max, std::uint64_t &out) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || v > max) return false;
    out = v;
    return true;
}

// redis://[user[:password]@]host[:port][/db] or rediss://... (TLS); false
// with `why` set when it is not one. A password in the url is taken and
// removed from the text kept for messages.
bool parse_url(const std::string &text, SharedStateSettings &out, std::string &why) {
    std::string_view rest = text;
    if (rest.starts_with("redis://")) {
        rest.remove_prefix(8);
    } else if (rest.starts_with("rediss://")) {
        rest.remove_prefix(9);
        out.tls = true;
    } else {
        why = "expected redis://host[:port][/db] or rediss://..., got a url of another scheme";
        return false;
    }
    std::string shown = out.tls ? "rediss://" : "redis://";
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view credentials = rest.substr(0, at);
        const auto colon = credentials.find(':');
        out.user = std::string(credentials.substr(0, colon));
        if (colon != std::string_view::npos) out.password = std::string(credentials.substr(colon + 1));
        if (!out.user.empty()) shown += out.user + "@";
        rest.remove_prefix(at + 1);
    }
    shown += std::string(rest);
    std::string_view authority = rest.substr(0, rest.find('/'));
    if (const auto slash = rest.find('/'); slash != std::string_view::npos && slash + 1 < rest.size()) {
        std::uint64_t db = 0;
        if (!parse_number(rest.substr(slash + 1), 65535, db)) {
            why = "the path of the url must be a database number (/0, /1, ...)";
            return false;
        }
        out.db = static_cast<std::uint32_t>(db);
    }
    if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        std::uint64_t port = 0;
        if (!parse_number(authority.substr(colon + 1), 65535, port) || port == 0) {
            why = "the port of the url must be 1..65535";
            return false;
        }
        out.port = static_cast<std::uint16_t>(port);
        authority = authority.substr(0, colon);
    }
    if (authority.empty()) {
        why = "the url names no host";
        return false;
    }
    out.host = std::string(authority);
    out.url = shown;
    return true;
}

// ca_file, cert_file + key_file and server_name: TLS only, files readable.
void read_tls_files(SectionReader &r, const Entries &e, const std::string &path, SharedStateSettings &out) {
    out.ca_file = r.readable_file(e, path, "ca_file");
    out.cert_file = r.readable_file(e, path, "cert_file");
    out.key_file = r.readable_file(e, path, "key_file");
    if (const Entry *name = SectionReader::find(e, "server_name"))
        if (const auto v = r.scalar(*name, path + ".server_name", "server_name")) {
            if (v->text.empty() || v->text.find_first_of(" /@") != std::string::npos)
                r.bad_value(*v, path + ".server_name", "a host name or address");
            else
                out.server_name = v->text;
        }
    const Entry *cert = SectionReader::find(e, "cert_file");
    const Entry *key = SectionReader::find(e, "key_file");
    if ((cert == nullptr) != (key == nullptr))
        r.ctx().report(LoadContext::line_of((cert != nullptr ? cert : key)->value),
                       path + ": cert_file and key_file go together (the client certificate and its key)");
    // A CA or certificate for a plain-text connection is a mistake, not a
    // request for plain text.
    if (!out.tls)
        for (const char *key_name : {"ca_file", "cert_file", "key_file", "server_name"})
            if (const Entry *entry = SectionReader::find(e, key_name))
                r.ctx().report(LoadContext::line_of(entry->value),
                               path + "." + key_name + ": needs TLS (a rediss:// url or tls: true)");
}

} // namespace

void read_shared_state_section(SectionReader &r, const Entry &section, SharedStateSettings &shared) {
    const Entries top = r.collect(section.key, section.value, "shared_state", {"redis"});
    const Entry *redis = SectionReader::find(top, "redis");
    if (redis == nullptr) return;
    const std::string path = "shared_state.redis";
    const Entries e = r.collect(redis->key, redis->value, path, {"url", "user", "password", "tls", "ca_file", "cert_file", "key_file",
                                                               "server_name", "timeout", "replicas"});
    SharedStateSettings out;
    out.source = r.ctx().file() + ":" + std::to_string(LoadContext::line_of(redis->value));
    const std::size_t issues = r.ctx().issues().size();
    const Entry *url = SectionReader::find(e, "url");
    if (url == nullptr) {
        r.ctx().report(LoadContext::line_of(redis->value), path + ".url: required (redis://host:port)");
    } else if (const auto text = r.scalar(*url, path + ".url", "url")) {
        std::string why;
        if (!parse_url(text->text, out, why)) r.ctx().report(text->line, path + ".url: " + why);
    }
    if (const Entry *user = SectionReader::find(e, "user"))
        if (const auto v = r.scalar(*user, path + ".user", "user")) out.user = v->text;
    if (const Entry *password = SectionReader::find(e, "password"))
        if (const auto v = r.scalar(*password, path + ".password", "password")) out.password = v->text;
    bool tls = out.tls;
    r.read(e, path, "tls", tls, boolean());
    out.tls = out.tls || tls;
    read_tls_files(r, e, path, out);
    r.read(e, path, "timeout", out.timeout, duration(false));
    r.read(e, path, "replicas", out.replicas, whole_number(1));
    if (r.ctx().issues().size() == issues) shared = std::move(out);
}

} // namespace helix::config
