#include "plugins/gcp_vertex/google_error.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/common/retry_after.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace helix::gcp_vertex {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::ResponseInfo;
using helix::plugin_common::UpstreamErrorDetail;

std::string error_reason(const json::object &error) {
    const json::array *details = pj::array_member(error, "details");
    if (details == nullptr) return {};
    for (const json::value &d : *details) {
        const json::object *o = d.if_object();
        if (o != nullptr && pj::string_or_empty(*o, "@type") == "type.googleapis.com/google.rpc.ErrorInfo")
            return std::string(pj::string_or_empty(*o, "reason").substr(0, 64));
    }
    return {};
}

std::uint32_t retry_delay_of(const json::object &error) {
    const json::array *details = pj::array_member(error, "details");
    if (details == nullptr) return 0;
    for (const json::value &d : *details) {
        const json::object *o = d.if_object();
        if (o == nullptr || pj::string_or_empty(*o, "@type") != "type.googleapis.com/google.rpc.RetryInfo") continue;
        if (const auto delay = pj::string_member(*o, "retryDelay"))
            if (const auto ms = parse_duration_ms(*delay)) return *ms;
    }
    return 0;
}

} // namespace

std::optional<std::uint32_t> parse_duration_ms(std::string_view text) {
    if (text.size() < 2 || text.back() != 's') return std::nullopt;
    text.remove_suffix(1);
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    std::uint64_t seconds = 0;
    if (whole.empty() || std::from_chars(whole.data(), whole.data() + whole.size(), seconds).ptr != whole.data() + whole.size())
        return std::nullopt;
    std::uint64_t ms = 0;
    bool rest = false;
    for (std::size_t i = 0; i < fraction.size(); ++i) {
        const char c = fraction[i];
        if (c < '0' || c > '9') return std::nullopt;
        if (i < 3) ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
        else if (c != '0') rest = true;
    }
    for (std::size_t i = fraction.size(); i < 3; ++i) ms *= 10;
    if (seconds > helix::plugin_common::kMaxRetryAfterMs / 1000) return helix::plugin_common::kMaxRetryAfterMs;
    const std::uint64_t total = seconds * 1000 + ms + (rest ? 1 : 0);
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(total, helix::plugin_common::kMaxRetryAfterMs));
}

std::optional<GoogleError> parse_google_error(const json::value &body) {
    const json::value *root = &body;
    if (const json::array *a = body.if_array(); a != nullptr && a->size() == 1) root = &a->front();
    const json::object *o = root->if_object();
    const json::object *e = o != nullptr ? pj::object_member(*o, "error") : nullptr;
    if (e == nullptr) return std::nullopt;
    GoogleError g;
    g.code = static_cast<int>(std::clamp<std::int64_t>(pj::int_or_zero(*e, "code"), 0, 999));
    g.status = std::string(pj::string_or_empty(*e, "status"));
    g.message = std::string(pj::string_or_empty(*e, "message"));
    g.retry_delay_ms = retry_delay_of(*e);
    g.reason = error_reason(*e);
    return g;
}

helix::sdk::Error google_http_error(ResponseInfo info, std::string_view body, std::string_view secret) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    const std::optional<GoogleError> g = ec ? std::nullopt : parse_google_error(v);
    UpstreamErrorDetail d;
    if (g) {
        d.message = g->message;
        d.code = g->status;
        if (info.retry_after_ms == 0) info.retry_after_ms = g->retry_delay_ms;
    }
    if (info.status == 401) {
        // The token was refused; the message would only repeat that.
        d.message = "Vertex AI rejected the gateway's access token (HTTP 401" + (d.code.empty() ? "" : ", " + d.code) +
                    "); check the provider's credentials";
        return helix::plugin_common::make_error(HELIX_ERR_AUTH, 502, 0, {d.message, "upstream_auth_failed", {}}, secret);
    }
    if (g && g->reason.starts_with("API_KEY_")) {
        d.message = "Vertex AI rejected the gateway's API key (" + g->reason + "); check the provider's api_key";
        return helix::plugin_common::make_error(HELIX_ERR_AUTH, 502, 0, {d.message, "upstream_auth_failed", {}}, secret);
    }
    return helix::plugin_common::http_error(info, d, secret);
}

helix::sdk::Error google_stream_error(const GoogleError &error, std::string_view secret) {
    ResponseInfo info;
    info.status = error.code >= 400 && error.code <= 599 ? error.code : 500;
    info.retry_after_ms = error.retry_delay_ms;
    UpstreamErrorDetail d{error.message.empty() ? "Vertex AI reported an error in the stream" : error.message,
                          error.status, {}};
    return helix::plugin_common::http_error(info, d, secret);
}

} // namespace helix::gcp_vertex
