#include "plugins/azure_openai/azure_cli_credential.hpp"

#include "plugins/azure_openai/azure_settings.hpp"
#include "plugins/common/json_access.hpp"

#include <boost/json/parse.hpp>

namespace helix::azure_openai {

namespace {

namespace pj = helix::plugin_common::json;
using helix::sdk::Error;

[[noreturn]] void refuse(const std::string &why) {
    throw Error(HELIX_ERR_AUTH, "the Azure CLI credential " + why, 502, 0, "upstream_auth_failed");
}

// POSIX single quotes, as the host's word splitting reads them.
std::string quoted(std::string_view word) {
    std::string out = "'";
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

} // namespace

std::string azure_cli_command(std::string_view az_path, std::string_view tenant_id) {
    std::string command = quoted(az_path) + " account get-access-token --output json --resource " + quoted(kResource);
    if (!tenant_id.empty()) command += " --tenant " + quoted(tenant_id);
    return command;
}

helix::plugin_common::BearerToken parse_azure_cli_token(std::string_view json, std::int64_t now_ms) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(json, ec);
    const boost::json::object *o = ec ? nullptr : v.if_object();
    if (o == nullptr) refuse("(az account get-access-token) printed something that is not a JSON object");
    const auto token = pj::string_member(*o, "accessToken");
    if (!token || token->empty()) refuse("(az account get-access-token) printed no accessToken");
    for (const char c : *token)
        if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) refuse("(az account get-access-token) printed a malformed accessToken");
    helix::plugin_common::BearerToken t;
    t.value = std::string(*token);
    const auto expires_on = pj::int_member(*o, "expires_on");
    t.expires_at_ms = expires_on && *expires_on > 0 ? *expires_on * 1000 : now_ms + 5 * 60 * 1000;
    if (t.expires_at_ms <= now_ms) refuse("(az account get-access-token) printed a token that has already expired");
    return t;
}

helix::plugin_common::BearerToken azure_cli_token(const helix::sdk::Host &host, std::string_view az_path,
                                                  std::string_view tenant_id) {
    helix::sdk::ProcessResult result;
    try {
        result = host.run_process(azure_cli_command(az_path, tenant_id), {}, kAzureCliTimeout);
    } catch (const Error &e) {
        if (e.status() == HELIX_ERR_WOULD_BLOCK) throw;
        if (e.status() == HELIX_ERR_NOT_SUPPORTED)
            throw Error(HELIX_ERR_CONFIG, "settings.azure_cli needs a host that runs credential programs");
        throw Error(e.status() == HELIX_ERR_RETRY ? HELIX_ERR_RETRY : HELIX_ERR_AUTH,
                    "the Azure CLI credential failed: " + std::string(e.what()) +
                        " (is the Azure CLI installed? settings.azure_cli_path)",
                    502, 0, "upstream_auth_failed");
    }
    if (result.exit_code != 0) {
        const std::string_view err(result.err);
        std::string first_line(err.substr(0, std::min<std::size_t>(err.find('\n'), 200)));
        for (char &c : first_line)
            if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        if (!first_line.empty()) host.log(HELIX_LOG_WARNING, "azure_openai: the Azure CLI wrote: " + first_line);
        refuse("(az account get-access-token) exited with code " + std::to_string(result.exit_code) +
               "; run `az login` as the daemon's user");
    }
    return parse_azure_cli_token(result.out, host.now_unix_ms());
}

} // namespace helix::azure_openai
