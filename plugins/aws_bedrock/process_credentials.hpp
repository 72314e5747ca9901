#pragma once
// credential_process in an AWS profile, as the AWS CLI and SDKs run it:
//
//   [profile corp]
//   credential_process = /opt/bin/corp-creds --account 1234 --format aws
//
// The program prints
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//    "SessionToken": "...", "Expiration": "2026-01-01T00:00:00Z"}
// on stdout and exits 0. SessionToken and Expiration are optional; without
// an Expiration the credentials are long-term (kept until Bedrock refuses
// them). A plugin never starts a process: the host runs the command through
// its run_process service (no shell; POSIX quoting; stdin /dev/null; killed
// after kProcessTimeout), and the program runs again at each refresh, five
// minutes before Expiration or after Bedrock refused the credentials.
//
// Errors: a non-zero exit, output that is not that JSON, Version other than
// 1, or an Expiration already past: HELIX_ERR_AUTH naming the profile and the
// exit code, never the output (it holds the secret); the first line of the
// program's stderr goes to the log, where the host takes known secrets out.

#include "plugins/aws_bedrock/credential_chain.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace helix::aws_bedrock {

inline constexpr std::chrono::milliseconds kProcessTimeout{60000};

// The credentials in a credential_process program's output; `where` names
// the profile. Throws HELIX_ERR_AUTH.
TimedCredentials parse_process_credentials(std::string_view json, std::int64_t now_ms, std::string_view where);

// Runs the command through the host and parses what it printed.
TimedCredentials process_credentials(const helix::sdk::Host &host, const std::string &command,
                                     std::string_view where);

} // namespace helix::aws_bedrock
