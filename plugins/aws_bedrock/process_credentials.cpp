#include "plugins/aws_bedrock/process_credentials.hpp"

#include "plugins/aws_bedrock/credential_fetch.hpp"
#include "plugins/common/json_access.hpp"

#include <boost/json/parse.hpp>

namespace helix::aws_bedrock {

namespace {

namespace pj = helix::plugin_common::json;
using helix::sdk::Error;

[[noreturn]] void refuse(std::string_view where, const std::string &why) {
    throw Error(HELIX_ERR_AUTH, "the credential_process of the AWS " + std::string(where) + " " + why, 502, 0,
                "upstream_auth_failed");
}

} // namespace

TimedCredentials parse_process_credentials(std::string_view json, std::int64_t now_ms, std::string_view where) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(json, ec);
    const boost::json::object *o = ec ? nullptr : v.if_object();
    if (o == nullptr) refuse(where, "printed something that is not a JSON object");
    const auto *version = o->if_contains("Version");
    if (version == nullptr || !version->is_int64() || version->as_int64() != 1)
        refuse(where, "printed no \"Version\": 1 (the only version the AWS SDKs know)");
    const auto id = pj::string_member(*o, "AccessKeyId");
    const auto secret = pj::string_member(*o, "SecretAccessKey");
    if (!id || !secret || id->empty() || secret->empty()) refuse(where, "printed no AccessKeyId and SecretAccessKey");
    const std::string_view token = pj::string_or_empty(*o, "SessionToken");
    if (has_control_character(*id) || has_control_character(token)) refuse(where, "printed a malformed key or token");
    TimedCredentials out;
    out.credentials = {std::string(*id), std::string(*secret), std::string(token)};
    if (const auto expiration = pj::string_member(*o, "Expiration"); expiration && !expiration->empty()) {
        const auto at = parse_iso8601_ms(*expiration);
        if (!at) refuse(where, "printed an Expiration that is not an ISO 8601 time");
        if (*at <= now_ms) refuse(where, "printed credentials that have already expired");
        out.expires_at_ms = *at;
    }
    out.source = std::string(where) + " (credential_process)";
    return out;
}

TimedCredentials process_credentials(const helix::sdk::Host &host, const std::string &command,
                                     std::string_view where) {
    helix::sdk::ProcessResult result;
    try {
        result = host.run_process(command, {}, kProcessTimeout);
    } catch (const Error &e) {
        if (e.status() == HELIX_ERR_WOULD_BLOCK) throw;
        if (e.status() == HELIX_ERR_NOT_SUPPORTED)
            throw Error(HELIX_ERR_CONFIG, "the AWS " + std::string(where) +
                                              " uses credential_process, but this host does not run credential "
                                              "programs");
        throw Error(e.status() == HELIX_ERR_RETRY ? HELIX_ERR_RETRY : HELIX_ERR_AUTH,
                    "the credential_process of the AWS " + std::string(where) + " failed: " + e.what(), 502, 0,
                    "upstream_auth_failed");
    }
    if (result.exit_code != 0) {
        const std::string_view err(result.err);
        const std::string first_line(err.substr(0, std::min<std::size_t>(err.find('\n'), 200)));
        if (!first_line.empty())
            host.log(HELIX_LOG_WARNING, "aws_bedrock: the credential_process of the AWS " + std::string(where) +
                                            " wrote: " + first_line);
        refuse(where, "exited with code " + std::to_string(result.exit_code));
    }
    return parse_process_credentials(result.out, host.now_unix_ms(), where);
}

} // namespace helix::aws_bedrock
