#include "plugins/azure_openai/entra_token_source.hpp"

#include "plugins/azure_openai/azure_cli_credential.hpp"

#include "plugins/common/local_file.hpp"
#include "plugins/common/percent_encoding.hpp"
#include "plugins/common/token_fetch.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

namespace helix::azure_openai {

namespace json = boost::json;
using helix::sdk::Error;

namespace {

// Far beyond any token's life (Entra's last at most a day) yet small enough
// that milliseconds of it cannot overflow; larger numbers are clamped to it.
constexpr std::int64_t kMaxSeconds = std::int64_t{1} << 40;

std::int64_t seconds_of(const json::value &v) {
    std::int64_t n = -1;
    if (v.is_int64()) {
        n = v.get_int64();
    } else if (v.is_uint64()) {
        n = kMaxSeconds;
    } else if (v.is_string()) {
        const auto &s = v.get_string();
        if (std::from_chars(s.data(), s.data() + s.size(), n).ec != std::errc{}) n = -1;
    }
    return std::min(n, kMaxSeconds);
}

} // namespace

helix::plugin_common::BearerToken parse_token_response(std::string_view body, std::int64_t now_ms) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    const json::object *o = ec ? nullptr : v.if_object();
    const json::value *token = o ? o->if_contains("access_token") : nullptr;
    if (token == nullptr || !token->is_string() || token->get_string().empty())
        throw Error(HELIX_ERR_AUTH, "the Entra ID token endpoint answered without an access_token", 502);
    helix::plugin_common::BearerToken t;
    t.value = std::string(token->get_string());
    if (const json::value *in = o->if_contains("expires_in"); in != nullptr && seconds_of(*in) > 0)
        t.expires_at_ms = now_ms + seconds_of(*in) * 1000;
    else if (const json::value *on = o->if_contains("expires_on"); on != nullptr && seconds_of(*on) > 0)
        t.expires_at_ms = seconds_of(*on) * 1000;
    else
        t.expires_at_ms = now_ms + 5 * 60 * 1000; // no expiry given: keep it briefly
    return t;
}

std::string EntraTokenSource::federated_token() const {
    const std::string &path = settings_.federated_token_file;
    const auto text = helix::plugin_common::read_local_file(path, 64 * 1024, "federated token file");
    if (!text)
        throw Error(HELIX_ERR_CONFIG, "the federated token file '" + path + "' (AZURE_FEDERATED_TOKEN_FILE) does not exist");
    std::string token = *text;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) throw Error(HELIX_ERR_CONFIG, "the federated token file '" + path + "' is empty");
    return token;
}

std::string EntraTokenSource::token() {
    return cache_.get(host_.now_unix_ms(), [this] { return fetch(); }, host_.may_block());
}

helix::plugin_common::BearerToken EntraTokenSource::fetch() const {
    using helix::plugin_common::percent_encode;
    helix::sdk::HttpRequest request;
    const AuthMethod method = settings_.auth();
    if (method == AuthMethod::azure_cli) return azure_cli_token(host_, settings_.azure_cli_path, settings_.tenant_id);
    const bool entra = method == AuthMethod::client_credentials || method == AuthMethod::workload_identity;
    if (entra) {
        request.method = "POST";
        request.url = settings_.authority_host + "/" + percent_encode(settings_.tenant_id) + "/oauth2/v2.0/token";
        request.add_header("Content-Type", "application/x-www-form-urlencoded");
        request.body = "grant_type=client_credentials&client_id=" + percent_encode(settings_.client_id);
        if (method == AuthMethod::client_credentials)
            request.body += "&client_secret=" + percent_encode(settings_.client_secret);
        else
            request.body += "&client_assertion_type=" + percent_encode(kJwtBearerAssertionType) +
                            "&client_assertion=" + percent_encode(federated_token());
        request.body += "&scope=" + percent_encode(kScope);
    } else {
        request.method = "GET";
        request.url = settings_.identity_endpoint + "?api-version=2018-02-01&resource=" + helix::plugin_common::percent_encode(kResource);
        if (!settings_.managed_identity_client_id.empty())
            request.url += "&client_id=" + helix::plugin_common::percent_encode(settings_.managed_identity_client_id);
        request.add_header("Metadata", "true");
    }
    const char *source = method == AuthMethod::client_credentials  ? "Entra ID (client credentials)"
                         : method == AuthMethod::workload_identity ? "Entra ID (workload identity)"
                                                                   : "the managed identity endpoint";
    const helix::sdk::HttpResponse response = host_.fetch(request, std::chrono::seconds(10));
    helix::plugin_common::check_token_status(response.status, source);
    return parse_token_response(response.body, host_.now_unix_ms());
}

} // namespace helix::azure_openai
