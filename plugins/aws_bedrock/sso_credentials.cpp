#include "plugins/aws_bedrock/sso_credentials.hpp"

#include "plugins/aws_bedrock/credential_fetch.hpp"
#include "plugins/common/json_access.hpp"
#include "plugins/common/local_file.hpp"
#include "plugins/common/upstream_error.hpp"

#include <boost/json/parse.hpp>

#include <openssl/evp.h>

#include <array>

namespace helix::aws_bedrock {

namespace {

namespace pj = helix::plugin_common::json;
using helix::sdk::Error;

constexpr std::size_t kMaxCacheFileBytes = 256 * 1024;

std::string value_of(const ProfileValues &values, std::string_view key) {
    const auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
}

} // namespace

std::string sha1_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1)
        throw Error(HELIX_ERR_INTERNAL, "SHA-1 is unavailable");
    return helix::aws::to_hex(std::span<const std::uint8_t>(digest.data(), length));
}

SsoProfile sso_profile(const ProfileValues &profile, const Profiles *sessions, std::string_view where) {
    SsoProfile sso;
    sso.session_name = value_of(profile, "sso_session");
    sso.account_id = value_of(profile, "sso_account_id");
    sso.role_name = value_of(profile, "sso_role_name");
    const auto missing = [&](std::string_view key, std::string_view in) {
        throw Error(HELIX_ERR_CONFIG, "the AWS " + std::string(in) + " has no " + std::string(key) +
                                          ", which IAM Identity Center (SSO) credentials need");
    };
    if (!sso.session_name.empty()) {
        const std::string section = "sso-session '" + sso.session_name + "' of the shared config file";
        const auto it = sessions != nullptr ? sessions->find(sso.session_name) : Profiles::const_iterator();
        if (sessions == nullptr || it == sessions->end())
            throw Error(HELIX_ERR_CONFIG, "the AWS " + std::string(where) + " names sso_session '" + sso.session_name +
                                              "', which the shared config file has no [sso-session] section for");
        sso.start_url = value_of(it->second, "sso_start_url");
        sso.region = value_of(it->second, "sso_region");
        if (sso.start_url.empty()) missing("sso_start_url", section);
        if (sso.region.empty()) missing("sso_region", section);
    } else {
        sso.start_url = value_of(profile, "sso_start_url");
        sso.region = value_of(profile, "sso_region");
        if (sso.start_url.empty()) missing("sso_start_url (or sso_session)", where);
        if (sso.region.empty()) missing("sso_region", where);
    }
    if (sso.account_id.empty()) missing("sso_account_id", where);
    if (sso.role_name.empty()) missing("sso_role_name", where);
    for (const char c : sso.region)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            throw Error(HELIX_ERR_CONFIG, "the AWS " + std::string(where) + " has an sso_region that is not a region");
    return sso;
}

std::string sso_cache_path(const SsoProfile &sso, std::string_view home) {
    const auto base = expand_home("~/.aws/sso/cache/", home);
    if (!base) throw Error(HELIX_ERR_CONFIG, "IAM Identity Center (SSO) credentials need settings.home (HOME) to find "
                                             "~/.aws/sso/cache");
    return *base + sha1_hex(sso.session_name.empty() ? sso.start_url : sso.session_name) + ".json";
}

TimedCredentials sso_credentials(const Settings &settings, const helix::sdk::Host &host, const SsoProfile &sso,
                                 std::string_view where) {
    const std::string login = sso.session_name.empty() ? "aws sso login --profile <profile>"
                                                       : "aws sso login --sso-session " + sso.session_name;
    const std::string path = sso_cache_path(sso, settings.home);
    const auto text = helix::plugin_common::read_local_file(path, kMaxCacheFileBytes, "SSO token cache file");
    if (!text)
        throw Error(HELIX_ERR_CONFIG, "the AWS " + std::string(where) + " uses IAM Identity Center, but there is no "
                                                                        "cached token (" + path + "); run `" + login + "`");
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(*text, ec);
    const boost::json::object *o = ec ? nullptr : v.if_object();
    const auto token = o != nullptr ? pj::string_member(*o, "accessToken") : std::nullopt;
    if (!token || token->empty() || has_control_character(*token))
        throw Error(HELIX_ERR_CONFIG, "the SSO token cache file " + path + " has no usable accessToken; run `" + login + "`");
    const std::int64_t now = host.now_unix_ms();
    const auto expires = parse_iso8601_ms(o != nullptr ? pj::string_or_empty(*o, "expiresAt") : "");
    if (!expires || *expires <= now)
        throw Error(HELIX_ERR_CONFIG, "the IAM Identity Center token in " + path + " has expired; run `" + login + "`");

    const std::string portal =
        settings.sso_endpoint.empty() ? "https://portal.sso." + sso.region + ".amazonaws.com" : settings.sso_endpoint;
    helix::sdk::HttpRequest request;
    request.method = "GET";
    request.url = portal + "/federation/credentials?account_id=" + helix::aws::uri_encode(sso.account_id, false) +
                  "&role_name=" + helix::aws::uri_encode(sso.role_name, false);
    request.add_header("x-amz-sso_bearer_token", std::string(*token));
    request.add_header("Accept", "application/json");
    const std::string source = "the IAM Identity Center portal (" + portal + ")";
    const helix::sdk::HttpResponse response = fetch_credentials(host, request, kStsTimeout, source);
    if (response.status != 200) {
        std::string detail(response.header("x-amzn-ErrorType").substr(0, 64));
        detail = detail.substr(0, detail.find(':'));
        if (response.status == 401) detail += (detail.empty() ? "" : ": ") + std::string("run `") + login + "`";
        source_failed(source + " for role " + sso.role_name + " in account " + sso.account_id, response.status,
                      helix::plugin_common::redact(detail, *token));
    }
    const boost::json::value reply = boost::json::parse(response.body, ec);
    const boost::json::object *ro = ec ? nullptr : reply.if_object();
    const boost::json::object *rc = ro != nullptr ? pj::object_member(*ro, "roleCredentials") : nullptr;
    const auto id = rc != nullptr ? pj::string_member(*rc, "accessKeyId") : std::nullopt;
    const auto secret = rc != nullptr ? pj::string_member(*rc, "secretAccessKey") : std::nullopt;
    const auto session = rc != nullptr ? pj::string_member(*rc, "sessionToken") : std::nullopt;
    if (!id || !secret || !session || id->empty() || secret->empty() || session->empty() ||
        has_control_character(*id) || has_control_character(*session))
        throw Error(HELIX_ERR_AUTH, source + " answered without complete roleCredentials", 502, 0,
                    "upstream_auth_failed");
    TimedCredentials c;
    c.credentials = {std::string(*id), std::string(*secret), std::string(*session)};
    const auto expiration = pj::int_member(*rc, "expiration");
    c.expires_at_ms = expiration && *expiration > now ? *expiration : now + kUnknownExpiryMs;
    c.source = std::string(where) + " (IAM Identity Center role " + sso.role_name + ")";
    return c;
}

} // namespace helix::aws_bedrock
