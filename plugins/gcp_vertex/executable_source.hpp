#pragma once
// Executable-sourced subject tokens of an external_account file (Google's
// "pluggable auth"), as the Google auth libraries run them:
//
//   "credential_source": {"executable": {"command": "/opt/bin/oidc --aud x",
//       "timeout_millis": 30000, "output_file": "/var/cache/gw/token.json"}}
//
// Allowed only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 (the setting
// allow_executables): otherwise the file is a configuration error. The
// program runs through the host's run_process (a plugin never starts one),
// with GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE, _TOKEN_TYPE, _INTERACTIVE=0 and,
// when they apply, _IMPERSONATED_EMAIL and _OUTPUT_FILE in its environment,
// and prints
//   {"version": 1, "success": true, "token_type": "urn:ietf:params:oauth:token-type:jwt"
//    | "...:id_token" | "...:saml2", "id_token" | "saml_response": "...",
//    "expiration_time": <unix seconds>}
// or {"version": 1, "success": false, "code": "...", "message": "..."}.
// With an output_file the program is expected to write that response there
// too: a valid unexpired response in it is used without running the program,
// and expiration_time is then required. timeout_millis is 5000..120000
// (default 30000). Errors never quote the output (it holds the token).
//
// An interactive executable (interactive_timeout_millis, 300000..1800000, for
// workforce identity sign-in) runs as Google's auth libraries run it in a
// process that is not interactive: with _INTERACTIVE=0 and timeout_millis,
// expected to answer from the session its last interactive sign-in left in
// output_file or to fail; its failure then says how to sign in again.

#include <helixagent/plugin.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helix::gcp_vertex {

struct ExecutableSource {
    std::string command;
    std::int64_t timeout_ms = 30000;
    std::string output_file; // empty: none
    bool interactive = false; // the file asks for interactive sign-in (run non-interactively)
};

// credential_source.executable; `path` names the file in errors.
ExecutableSource parse_executable_source(const boost::json::object &executable, const std::string &path);

// What the program is told (exposed for tests).
struct ExecutableContext {
    std::string audience, subject_token_type, impersonated_email;
};
std::vector<std::pair<std::string, std::string>> executable_environment(const ExecutableSource &source,
                                                                        const ExecutableContext &context);

// One response (the program's stdout or the output file). Throws
// HELIX_ERR_AUTH, naming `where`, when it is not one.
struct ExecutableResponse {
    bool success = false;
    std::string token;              // success: id_token or saml_response
    std::int64_t expires_at_s = 0;  // 0: no expiration_time
    std::string code, message;      // failure: what the program said
};
ExecutableResponse parse_executable_response(std::string_view json, std::string_view where);

// The cached response, else the program's. Throws helix::sdk::Error.
std::string executable_subject_token(const ExecutableSource &source, const ExecutableContext &context,
                                     const helix::sdk::Host &host);

} // namespace helix::gcp_vertex
