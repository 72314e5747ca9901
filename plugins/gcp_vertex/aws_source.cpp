#include "plugins/gcp_vertex/aws_source.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/common/percent_encoding.hpp"
#include "plugins/common/token_fetch.hpp"
#include "plugins/gcp_vertex/adc_file.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

namespace helix::gcp_vertex {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::sdk::Error;

constexpr std::chrono::seconds kMetadataTimeout{5};
constexpr std::size_t kMaxRegion = 64;

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
    return std::string(s);
}

// One metadata server answer (200 only), with the IMDSv2 session token when there is one.
std::string metadata_get(const helix::sdk::Host &host, const std::string &url, const std::string &session,
                         std::string_view what) {
    helix::sdk::HttpRequest request;
    request.method = "GET";
    request.url = url;
    if (!session.empty()) request.add_header("x-aws-ec2-metadata-token", session);
    helix::sdk::HttpResponse r;
    try {
        r = host.fetch(request, kMetadataTimeout);
    } catch (const Error &e) {
        if (e.status() == HELIX_ERR_WOULD_BLOCK) throw;
        throw Error(HELIX_ERR_RETRY, "the AWS instance metadata service (" + std::string(what) + ") did not answer (" +
                                         e.what() + ")", 503);
    }
    helix::plugin_common::check_token_status(r.status, "the AWS instance metadata service (" + std::string(what) + ")");
    return r.body;
}

std::string imds_session(const AwsSource &s, const helix::sdk::Host &host) {
    if (s.imdsv2_token_url.empty()) return {};
    helix::sdk::HttpRequest request;
    request.method = "PUT";
    request.url = s.imdsv2_token_url;
    request.add_header("x-aws-ec2-metadata-token-ttl-seconds", "300");
    helix::sdk::HttpResponse r;
    try {
        r = host.fetch(request, kMetadataTimeout);
    } catch (const Error &e) {
        if (e.status() == HELIX_ERR_WOULD_BLOCK) throw;
        throw Error(HELIX_ERR_RETRY, std::string("the AWS instance metadata service (IMDSv2 token) did not answer (") +
                                         e.what() + ")", 503);
    }
    helix::plugin_common::check_token_status(r.status, "the AWS instance metadata service (IMDSv2 token)");
    std::string token = trimmed(r.body);
    if (token.empty() || adc_has_control(token))
        throw Error(HELIX_ERR_AUTH, "the AWS instance metadata service answered without a usable IMDSv2 token", 502);
    return token;
}

} // namespace

AwsSource parse_aws_source(const json::object &source, const std::string &path) {
    const std::string_view id = pj::string_or_empty(source, "environment_id");
    if (!id.starts_with("aws") || id.size() < 4 || id.find_first_not_of("0123456789", 3) != std::string_view::npos)
        adc_config_error(path, "has a credential_source.environment_id other than aws<version>");
    if (id != "aws1") adc_config_error(path, "uses AWS credential_source version " + std::string(id.substr(3)) +
                                                 "; the supported version is 1 (aws1)");
    AwsSource s;
    const auto url = [&](std::string_view key) {
        const auto v = pj::string_member(source, key);
        return v && !v->empty() ? adc_url(std::string(*v), "credential_source." + std::string(key), path) : std::string();
    };
    s.region_url = url("region_url");
    s.credentials_url = url("url");
    s.imdsv2_token_url = url("imdsv2_session_token_url");
    s.verification_url = url("regional_cred_verification_url");
    if (s.verification_url.empty())
        adc_config_error(path, "has an AWS credential_source without \"regional_cred_verification_url\"");
    if (!helix::aws::split_url(s.verification_url))
        adc_config_error(path, "has a regional_cred_verification_url that is not a URL");
    while (s.credentials_url.ends_with('/')) s.credentials_url.pop_back();
    return s;
}

std::string aws_signed_subject_token(const AwsSource &source, std::string_view region,
                                     const helix::aws::Credentials &credentials, std::string_view audience,
                                     std::int64_t now_ms) {
    std::string url = source.verification_url;
    for (std::size_t at; (at = url.find("{region}")) != std::string::npos;) url.replace(at, 8, region);
    const auto parts = helix::aws::split_url(url);
    if (!parts) throw Error(HELIX_ERR_CONFIG, "the AWS regional_cred_verification_url is not a URL for region " +
                                                  std::string(region));
    // The signing name is the host's first label, as the Google libraries take it (sts.<region>.amazonaws.com).
    const std::string service = parts->host.substr(0, parts->host.find('.'));
    std::vector<helix::aws::HttpHeader> headers{{"x-goog-cloud-target-resource", std::string(audience)}};
    helix::aws::SigningOptions options;
    options.region = region;
    options.service = service;
    options.time = std::chrono::sys_seconds(std::chrono::seconds(now_ms / 1000));
    const helix::aws::SigningResult signature =
        helix::aws::sign({"POST", parts->path, parts->query, parts->host, headers, "", ""}, credentials, options);
    if (!signature.ok()) throw Error(HELIX_ERR_INTERNAL, "signing the AWS GetCallerIdentity request failed: " + signature.error);
    helix::aws::apply_signature(headers, signature);
    json::array list;
    for (const auto &h : headers) list.push_back(json::object{{"key", h.name}, {"value", h.value}});
    // Percent-encoded as the Python library does (quote(..., safe="")).
    return helix::plugin_common::percent_encode(json::serialize(json::object{{"url", url}, {"method", "POST"}, {"headers", std::move(list)}}));
}

std::string aws_subject_token(const AwsSource &source, std::string_view audience, const helix::sdk::Host &host) {
    const bool need_region = source.region.empty();
    const bool need_credentials = source.credentials.access_key_id.empty() || source.credentials.secret_access_key.empty();
    const std::string session = need_region || need_credentials ? imds_session(source, host) : std::string();

    std::string region = source.region;
    if (need_region) {
        if (source.region_url.empty())
            throw Error(HELIX_ERR_CONFIG, "the AWS region is unknown: set AWS_REGION (settings.aws_region) or "
                                          "credential_source.region_url");
        const std::string zone = trimmed(metadata_get(host, source.region_url, session, "availability zone"));
        // "us-east-1a" -> "us-east-1".
        if (zone.size() < 2 || zone.size() > kMaxRegion || zone.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
            throw Error(HELIX_ERR_AUTH, "the AWS instance metadata service answered an availability zone that is not one", 502);
        region = zone.substr(0, zone.size() - 1);
    }

    helix::aws::Credentials credentials = source.credentials;
    if (need_credentials) {
        if (source.credentials_url.empty())
            throw Error(HELIX_ERR_CONFIG, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                                          "(settings.aws_access_key_id, aws_secret_access_key) or credential_source.url");
        const std::string role = trimmed(metadata_get(host, source.credentials_url, session, "role name"));
        if (role.empty() || role.find_first_of("/\n ") != std::string::npos || adc_has_control(role))
            throw Error(HELIX_ERR_AUTH, "the AWS instance metadata service names no usable instance role", 502);
        const std::string body = metadata_get(host, source.credentials_url + "/" + role, session, "role credentials");
        boost::system::error_code ec;
        const json::value v = json::parse(body, ec);
        const json::object *o = ec ? nullptr : v.if_object();
        const auto id = o ? pj::string_member(*o, "AccessKeyId") : std::nullopt;
        const auto secret = o ? pj::string_member(*o, "SecretAccessKey") : std::nullopt;
        if (!id || !secret || id->empty() || secret->empty() || adc_has_control(*id))
            throw Error(HELIX_ERR_AUTH, "the AWS instance metadata service answered no role credentials", 502);
        credentials = {std::string(*id), std::string(*secret), std::string(pj::string_or_empty(*o, "Token"))};
    }
    return aws_signed_subject_token(source, region, credentials, audience, host.now_unix_ms());
}

} // namespace helix::gcp_vertex
