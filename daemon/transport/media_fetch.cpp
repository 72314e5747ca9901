#include "daemon/transport/media_fetch.hpp"

#include "daemon/transport/address_class.hpp"
#include "daemon/transport/endpoint.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace helix::transport {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && lower(a) == lower(b); }

const std::string *header(const Headers &headers, std::string_view name) {
    for (const auto &[n, v] : headers)
        if (iequals(n, name)) return &v;
    return nullptr;
}

std::string media_type_of(std::string_view content_type) {
    std::string_view t = content_type.substr(0, content_type.find(';'));
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    std::string out = lower(t);
    if (out == "image/jpg") out = "image/jpeg";
    return out;
}

// Refuses what the address check (address_class.hpp) does not call public,
// unless the host is trusted (media_fetch.private_hosts); keeps why.
class MediaAddressCheck final : public AddressCheck {
public:
    explicit MediaAddressCheck(bool trusted) : trusted_(trusted) {}
    bool allowed(const std::string &, const boost::asio::ip::address &address) override {
        if (trusted_) return true;
        const AddressClass c = classify(address);
        if (c == AddressClass::global) return true;
        refused_ = std::string(to_string(c));
        return false;
    }
    const std::string &refused() const { return refused_; }

private:
    bool trusted_;
    std::string refused_;
};

// Takes one response: a redirect's Location, or a 200's body up to the limit.
class MediaSink final : public AsyncResponseSink {
public:
    MediaSink(MediaKind kind, std::uint64_t max_bytes) : kind_(kind), max_bytes_(max_bytes) {}

    boost::asio::awaitable<bool> on_head(int status, const Headers &headers) override {
        status_ = status;
        if (status >= 300 && status < 400) {
            if (const std::string *l = header(headers, "location")) location_ = *l;
            co_return false; // the body of a redirect is not wanted
        }
        if (status != 200) co_return false;
        const std::string *type = header(headers, "content-type");
        media_type_ = type != nullptr ? media_type_of(*type) : std::string();
        if (!accepted_media_type(kind_, media_type_)) {
            problem_ = "its content type is '" + (media_type_.empty() ? std::string("(none)") : media_type_.substr(0, 80)) +
                       "', not " + (kind_ == MediaKind::image ? "an image type" : "a document type") + " a provider takes";
            co_return false;
        }
        if (const std::string *e = header(headers, "content-encoding"); e != nullptr && !iequals(*e, "identity")) {
            problem_ = "the server sent it encoded (Content-Encoding: " + e->substr(0, 40) + ")";
            co_return false;
        }
        if (const std::string *length = header(headers, "content-length")) {
            std::uint64_t n = 0;
            const auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
            if (ec == std::errc{} && n > max_bytes_) {
                too_large_ = true;
                co_return false;
            }
        }
        co_return true;
    }

    boost::asio::awaitable<bool> on_body(std::string_view data) override {
        if (bytes_.size() + data.size() > max_bytes_) {
            too_large_ = true;
            co_return false;
        }
        bytes_.append(data);
        co_return true;
    }

    int status() const { return status_; }
    const std::string &location() const { return location_; }
    const std::string &problem() const { return problem_; }
    bool too_large() const { return too_large_; }
    FetchedMedia take() { return FetchedMedia{std::move(media_type_), std::move(bytes_)}; }

private:
    MediaKind kind_;
    std::uint64_t max_bytes_;
    int status_ = 0;
    std::string location_;
    std::string media_type_;
    std::string bytes_;
    std::string problem_;
    bool too_large_ = false;
};

// A redirect's Location against the URL it came from: absolute, scheme-relative
// or path-absolute ("" when it is none of these).
std::string resolve_location(const Endpoint &from, std::string_view location) {
    const std::string l = lower(location.substr(0, 8));
    if (l.starts_with("http://") || l.starts_with("https://")) return std::string(location);
    const std::string scheme = from.tls ? "https:" : "http:";
    if (location.starts_with("//")) return scheme + std::string(location);
    if (location.starts_with("/")) {
        const bool v6 = from.host.find(':') != std::string::npos;
        return scheme + "//" + (v6 ? "[" + from.host + "]" : from.host) + ":" + std::to_string(from.port) +
               std::string(location);
    }
    return {};
}

bool has_userinfo(std::string_view url) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return false;
    const std::string_view authority = url.substr(scheme + 3, url.find_first_of("/?#", scheme + 3) - scheme - 3);
    return authority.find('@') != std::string_view::npos;
}

std::string seconds_text(std::chrono::milliseconds d) {
    const auto ms = d.count();
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

} // namespace

bool accepted_media_type(MediaKind kind, std::string_view t) {
    static constexpr std::array<std::string_view, 6> kImages{"image/png",  "image/jpeg", "image/gif",
                                                             "image/webp", "image/heic", "image/heif"};
    static constexpr std::array<std::string_view, 10> kDocuments{
        "application/pdf", "text/plain", "text/markdown", "text/csv", "text/html", "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/x-markdown"};
    if (kind == MediaKind::image) return std::find(kImages.begin(), kImages.end(), t) != kImages.end();
    return std::find(kDocuments.begin(), kDocuments.end(), t) != kDocuments.end();
}

bool host_listed(const std::vector<std::string> &patterns, std::string_view host_in, std::uint16_t port) {
    const std::string host = lower(host_in);
    for (const std::string &raw : patterns) {
        std::string p = lower(raw);
        std::optional<std::uint16_t> want_port;
        std::string name;
        if (p.starts_with("[")) { // [v6] or [v6]:port
            const std::size_t close = p.find(']');
            if (close == std::string::npos) continue;
            name = p.substr(1, close - 1);
            if (close + 1 < p.size() && p[close + 1] == ':') {
                unsigned long n = 0;
                const auto [end, ec] = std::from_chars(p.data() + close + 2, p.data() + p.size(), n);
                if (ec != std::errc{} || end != p.data() + p.size() || n > 65535) continue;
                want_port = static_cast<std::uint16_t>(n);
            }
        } else if (std::count(p.begin(), p.end(), ':') == 1) { // name:port
            const std::size_t colon = p.find(':');
            name = p.substr(0, colon);
            unsigned long n = 0;
            const auto [end, ec] = std::from_chars(p.data() + colon + 1, p.data() + p.size(), n);
            if (ec != std::errc{} || end != p.data() + p.size() || n > 65535) continue;
            want_port = static_cast<std::uint16_t>(n);
        } else {
            name = p; // a name, or a bare IPv6 literal
        }
        if (want_port && *want_port != port) continue;
        if (name.starts_with("*.")) {
            if (host.size() > name.size() - 1 && host.ends_with(name.substr(1))) return true;
        } else if (name == host) {
            return true;
        }
    }
    return false;
}

boost::asio::awaitable<MediaFetchResult> fetch_media(AsyncExchange &exchange, std::string url, MediaKind kind,
                                                     const config::MediaFetchSettings &settings,
                                                     std::optional<Clock::time_point> deadline) {
    const Clock::time_point until = Clock::now() + settings.timeout;
    ExchangeLimits limits;
    limits.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.timeout);
    limits.read_timeout = limits.connect_timeout;
    limits.deadline = deadline ? std::min(*deadline, until) : until;
    for (std::size_t redirects = 0;; ++redirects) {
        const std::string shown = url.size() > 200 ? url.substr(0, 200) + "..." : url;
        if (has_userinfo(url)) co_return std::string("the URL holds credentials (user:password@), which the gateway does not use");
        const auto endpoint = parse_endpoint(url);
        if (!endpoint) co_return "'" + shown + "' is not an http:// or https:// URL with a host";
        const bool trusted = host_listed(settings.private_hosts, endpoint->host, endpoint->port);
        if (!trusted && !settings.allow_hosts.empty() && !host_listed(settings.allow_hosts, endpoint->host, endpoint->port))
            co_return "the host '" + endpoint->host.substr(0, 100) + "' is not one this gateway fetches from (media_fetch.allow_hosts)";
        MediaAddressCheck check(trusted);
        limits.address_check = &check;
        const helix_header headers[] = {{{"User-Agent", 10}, {"helixagent-media-fetch", 22}},
                                        {{"Accept", 6}, kind == MediaKind::image ? helix_str{"image/*", 7} : helix_str{"*/*", 3}}};
        helix_http_request request{};
        request.struct_size = sizeof request;
        request.method = {"GET", 3};
        request.url = {url.data(), url.size()};
        request.headers = headers;
        request.header_count = 2;
        MediaSink sink(kind, settings.max_bytes);
        const ExchangeResult result = co_await exchange.exchange(request, limits, sink);
        if (!check.refused().empty())
            co_return "the host '" + endpoint->host.substr(0, 100) + "' resolves to " +
                      (check.refused().starts_with('u') ? "an " : "a ") + check.refused() +
                      " address, which the gateway does not fetch from (media_fetch.private_hosts may allow a host)";
        if (sink.too_large())
            co_return "it is larger than this gateway fetches (media_fetch.max_bytes, " + std::to_string(settings.max_bytes) +
                      " bytes)";
        if (!sink.problem().empty()) co_return sink.problem();
        if (sink.status() >= 300 && sink.status() < 400 && sink.status() != 304) {
            if (redirects >= settings.max_redirects)
                co_return "it redirects more than " + std::to_string(settings.max_redirects) + " times (media_fetch.max_redirects)";
            const std::string next = resolve_location(*endpoint, sink.location());
            if (next.empty()) co_return std::string("it redirects without a usable Location");
            url = next;
            continue;
        }
        if (sink.status() != 0 && sink.status() != 200)
            co_return "the server answered HTTP " + std::to_string(sink.status());
        if (result.error == ExchangeError::timeout)
            co_return "no complete answer within " + seconds_text(settings.timeout) + " (media_fetch.timeout)";
        if (result.error != ExchangeError::none) co_return std::string("the server could not be reached or broke off");
        FetchedMedia media = sink.take();
        if (media.bytes.empty()) co_return std::string("the server sent no bytes");
        co_return media;
    }
}

} // namespace helix::transport
