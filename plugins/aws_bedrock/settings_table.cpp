// The aws_bedrock plugin's settings table: every key of its `settings:` map, and
// the environment variables that fill it for the provider named "aws-bedrock".
#include "plugins/aws_bedrock/bedrock_provider.hpp"

namespace helix::aws_bedrock {

std::vector<helix::sdk::Setting> BedrockProvider::settings() {
    return {
        {.name = "region", .type = HELIX_SETTING_STRING, .description = "The signing region and the default endpoint's region.", .default_value = "us-east-1", .env = {"AWS_BEDROCK_REGION"}, .env_provider = "aws-bedrock"},
        {.name = "endpoint", .type = HELIX_SETTING_STRING, .description = "The Bedrock runtime endpoint; default from region (and use_fips)."},
        {.name = "endpoint_url", .type = HELIX_SETTING_STRING, .description = "The AWS SDKs' endpoint override; endpoint wins over it.", .env = {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"}, .env_provider = "aws-bedrock"},
        {.name = "use_fips", .type = HELIX_SETTING_BOOLEAN, .description = "Default endpoints bedrock-runtime-fips.{region} and sts-fips.{region}.", .default_value = "false", .env = {"AWS_USE_FIPS_ENDPOINT"}, .env_provider = "aws-bedrock"},
        {.name = "api_key", .type = HELIX_SETTING_STRING, .description = "A Bedrock API key, sent as a bearer token instead of SigV4; wins over every credential.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_BEARER_TOKEN_BEDROCK"}, .env_provider = "aws-bedrock"},
        {.name = "models", .type = HELIX_SETTING_LIST, .description = "Models to advertise: ids, or maps {id, upstream_id, context_window, capabilities}."},
        {.name = "extra_fields", .type = HELIX_SETTING_LIST, .description = "Messages API body fields to pass to Claude's InvokeModel besides the ones it accepts today."},
        {.name = "access_key_id", .type = HELIX_SETTING_STRING, .description = "Static access key id (first in the chain).", .env = {"AWS_BEDROCK_ACCESS_KEY_ID"}, .env_provider = "aws-bedrock"},
        {.name = "secret_access_key", .type = HELIX_SETTING_STRING, .description = "Static secret access key.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_BEDROCK_SECRET_ACCESS_KEY"}, .env_provider = "aws-bedrock"},
        {.name = "session_token", .type = HELIX_SETTING_STRING, .description = "Static session token.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_BEDROCK_SESSION_TOKEN"}, .env_provider = "aws-bedrock"},
        {.name = "aws_access_key_id", .type = HELIX_SETTING_STRING, .description = "The AWS SDKs' environment access key id.", .env = {"AWS_ACCESS_KEY_ID"}, .env_provider = "aws-bedrock"},
        {.name = "aws_secret_access_key", .type = HELIX_SETTING_STRING, .description = "The AWS SDKs' environment secret access key.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_SECRET_ACCESS_KEY"}, .env_provider = "aws-bedrock"},
        {.name = "aws_session_token", .type = HELIX_SETTING_STRING, .description = "The AWS SDKs' environment session token.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_SESSION_TOKEN"}, .env_provider = "aws-bedrock"},
        {.name = "profile", .type = HELIX_SETTING_STRING, .description = "The shared-config profile."},
        {.name = "aws_profile", .type = HELIX_SETTING_STRING, .description = "The profile the AWS SDKs read from the environment.", .env = {"AWS_PROFILE"}, .env_provider = "aws-bedrock"},
        {.name = "home", .type = HELIX_SETTING_STRING, .description = "The home directory for ~/.aws.", .env = {"HOME"}, .env_provider = "aws-bedrock"},
        {.name = "credentials_file", .type = HELIX_SETTING_STRING, .description = "The shared credentials file.", .default_value = "~/.aws/credentials", .env = {"AWS_SHARED_CREDENTIALS_FILE"}, .env_provider = "aws-bedrock"},
        {.name = "config_file", .type = HELIX_SETTING_STRING, .description = "The shared config file.", .default_value = "~/.aws/config", .env = {"AWS_CONFIG_FILE"}, .env_provider = "aws-bedrock"},
        {.name = "web_identity_token_file", .type = HELIX_SETTING_STRING, .description = "A web identity token file (with role_arn).", .env = {"AWS_WEB_IDENTITY_TOKEN_FILE"}, .env_provider = "aws-bedrock"},
        {.name = "role_arn", .type = HELIX_SETTING_STRING, .description = "The role to assume: with the web identity token, else (AssumeRole) with the chain's credentials.", .env = {"AWS_ROLE_ARN"}, .env_provider = "aws-bedrock"},
        {.name = "role_session_name", .type = HELIX_SETTING_STRING, .description = "The session name for AssumeRole / AssumeRoleWithWebIdentity.", .env = {"AWS_ROLE_SESSION_NAME"}, .env_provider = "aws-bedrock"},
        {.name = "external_id", .type = HELIX_SETTING_STRING, .description = "The ExternalId for AssumeRole of role_arn (cross-account trust policies).", .flags = HELIX_SETTING_SECRET},
        {.name = "duration_seconds", .type = HELIX_SETTING_INTEGER, .description = "The session length AssumeRole asks for (900..43200; STS default 3600)."},
        {.name = "sts_endpoint", .type = HELIX_SETTING_STRING, .description = "The STS endpoint; default sts[-fips].{region}.amazonaws.com.", .env = {"AWS_ENDPOINT_URL_STS"}, .env_provider = "aws-bedrock"},
        {.name = "sso_endpoint", .type = HELIX_SETTING_STRING, .description = "The IAM Identity Center portal; default portal.sso.{sso_region}.amazonaws.com."},
        {.name = "container_credentials_full_uri", .type = HELIX_SETTING_STRING, .description = "Container credentials URL.", .env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI"}, .env_provider = "aws-bedrock"},
        {.name = "container_credentials_relative_uri", .type = HELIX_SETTING_STRING, .description = "Container credentials path on ecs_endpoint.", .env = {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"}, .env_provider = "aws-bedrock"},
        {.name = "container_authorization_token", .type = HELIX_SETTING_STRING, .description = "Authorization for the container credentials endpoint.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_CONTAINER_AUTHORIZATION_TOKEN"}, .env_provider = "aws-bedrock"},
        {.name = "container_authorization_token_file", .type = HELIX_SETTING_STRING, .description = "A file holding that authorization.", .env = {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}, .env_provider = "aws-bedrock"},
        {.name = "ecs_endpoint", .type = HELIX_SETTING_STRING, .description = "The ECS credentials endpoint.", .default_value = "http://169.254.170.2"},
        {.name = "imds_endpoint", .type = HELIX_SETTING_STRING, .description = "The instance metadata (IMDSv2) endpoint.", .default_value = "http://169.254.169.254", .env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT"}, .env_provider = "aws-bedrock"},
        {.name = "imds_disabled", .type = HELIX_SETTING_BOOLEAN, .description = "Skip the instance metadata service.", .default_value = "false", .env = {"AWS_EC2_METADATA_DISABLED"}, .env_provider = "aws-bedrock"},
        {.name = "timeout", .type = HELIX_SETTING_DURATION, .description = "The provider's timeout (plugins.NAME.timeout).", .flags = HELIX_SETTING_HOST_OPTION, .env = {"AWS_BEDROCK_TIMEOUT"}, .env_provider = "aws-bedrock"},
    };
}

} // namespace helix::aws_bedrock
