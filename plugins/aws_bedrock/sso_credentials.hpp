#pragma once
// IAM Identity Center (SSO) profiles, as the AWS CLI v2 and SDKs read them:
//
//   [profile dev]                       [sso-session corp]
//   sso_session = corp                  sso_start_url = https://corp.awsapps.com/start
//   sso_account_id = 111122223333       sso_region = eu-west-1
//   sso_role_name = BedrockUser
//
// (or the legacy form with sso_start_url and sso_region in the profile). The
// access token is the one `aws sso login` cached in
// ~/.aws/sso/cache/<sha1 hex of the sso-session name, or of the start URL
// for the legacy form>.json ({"accessToken", "expiresAt", ...}); it is read at
// each resolution, never written. An expired token is a configuration error
// that says to run `aws sso login` (refreshing it would mean writing the
// cache file). The role's credentials come from the portal:
//
//   GET {portal}/federation/credentials?account_id=..&role_name=..
//   x-amz-sso_bearer_token: <accessToken>
//   -> {"roleCredentials":{"accessKeyId","secretAccessKey","sessionToken","expiration":<ms>}}
//
// portal: settings.sso_endpoint, else https://portal.sso.{sso_region}.amazonaws.com.
// Errors: 401 UnauthorizedException (token revoked), 403 ForbiddenException
// (no access to the role), 404 ResourceNotFoundException: AUTH; 429 and 5xx: RETRY.

#include "plugins/aws_bedrock/credential_chain.hpp"
#include "plugins/aws_bedrock/shared_config.hpp"

#include <string>
#include <string_view>

namespace helix::aws_bedrock {

struct SsoProfile {
    std::string session_name; // empty for the legacy form
    std::string start_url;
    std::string region;
    std::string account_id;
    std::string role_name;
};

// The lowercase hex SHA-1 of text (the cache file's name).
std::string sha1_hex(std::string_view text);

// The SSO settings of a profile (sessions: the config file's [sso-session]
// sections); throws HELIX_ERR_CONFIG naming what is missing. `where` names
// the profile.
SsoProfile sso_profile(const ProfileValues &profile, const Profiles *sessions, std::string_view where);

// The cached token's file for a profile, under home.
std::string sso_cache_path(const SsoProfile &sso, std::string_view home);

// Reads the cached token and calls GetRoleCredentials; throws helix::sdk::Error.
TimedCredentials sso_credentials(const Settings &settings, const helix::sdk::Host &host, const SsoProfile &sso,
                                 std::string_view where);

} // namespace helix::aws_bedrock
