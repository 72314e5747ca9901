#include "plugins/gcp_vertex/executable_source.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/common/local_file.hpp"
#include "plugins/gcp_vertex/adc_file.hpp"

#include <boost/json/parse.hpp>

#include <chrono>

namespace helix::gcp_vertex {

namespace {

namespace pj = helix::plugin_common::json;
using helix::sdk::Error;

constexpr std::size_t kMaxOutputFileBytes = 64 * 1024;
constexpr std::string_view kJwt = "urn:ietf:params:oauth:token-type:jwt";
constexpr std::string_view kIdToken = "urn:ietf:params:oauth:token-type:id_token";
constexpr std::string_view kSaml = "urn:ietf:params:oauth:token-type:saml2";

[[noreturn]] void refuse(std::string_view where, const std::string &why) {
    const std::string subject = where.empty() ? std::string("the workload identity executable")
                                              : "the workload identity executable's " + std::string(where);
    throw Error(HELIX_ERR_AUTH, subject + " " + why, 502, 0, "upstream_auth_failed");
}

// The program's own words, one bounded line without control characters.
std::string printable(std::string_view text) {
    std::string out(text.substr(0, 200));
    for (char &c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return out;
}

// What a failed interactive executable needs: the gateway never runs it interactively.
std::string non_interactive_hint(const ExecutableSource &source) {
    if (!source.interactive) return {};
    return "; it ran non-interactively (GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=0), as Google's auth libraries run it "
           "outside a terminal: sign in with it interactively (gcloud auth login --cred-file=<the credentials file>) "
           "so that its output_file holds a valid session";
}

} // namespace

ExecutableSource parse_executable_source(const boost::json::object &executable, const std::string &path) {
    ExecutableSource s;
    const auto command = pj::string_member(executable, "command");
    if (!command || command->empty()) adc_config_error(path, "has an executable credential_source without \"command\"");
    if (adc_has_control(*command)) adc_config_error(path, "has an executable command with a control character");
    s.command = std::string(*command);
    if (executable.contains("timeout_millis")) {
        const auto timeout = pj::int_member(executable, "timeout_millis");
        if (!timeout || *timeout < 5000 || *timeout > 120000)
            adc_config_error(path, "credential_source.executable.timeout_millis must be in 5000..120000");
        s.timeout_ms = *timeout;
    }
    s.output_file = std::string(pj::string_or_empty(executable, "output_file"));
    // Google's libraries outside a terminal take the file too and run the program non-interactively.
    if (executable.contains("interactive_timeout_millis")) {
        const auto timeout = pj::int_member(executable, "interactive_timeout_millis");
        if (!timeout || *timeout < 300000 || *timeout > 1800000)
            adc_config_error(path, "credential_source.executable.interactive_timeout_millis must be in 300000..1800000");
        s.interactive = true;
    }
    return s;
}

std::vector<std::pair<std::string, std::string>> executable_environment(const ExecutableSource &source,
                                                                        const ExecutableContext &context) {
    std::vector<std::pair<std::string, std::string>> env{
        {"GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE", context.audience},
        {"GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", context.subject_token_type},
        {"GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0"},
    };
    if (!context.impersonated_email.empty())
        env.emplace_back("GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL", context.impersonated_email);
    if (!source.output_file.empty()) env.emplace_back("GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE", source.output_file);
    return env;
}

ExecutableResponse parse_executable_response(std::string_view json, std::string_view where) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(json, ec);
    const boost::json::object *o = ec ? nullptr : v.if_object();
    if (o == nullptr) refuse(where, "printed something that is not a JSON object");
    const auto version = pj::int_member(*o, "version");
    if (!version || *version < 1) refuse(where, "printed no \"version\"");
    if (*version > 1) refuse(where, "printed version " + std::to_string(*version) + "; the supported version is 1");
    const boost::json::value *success = o->if_contains("success");
    if (success == nullptr || !success->is_bool()) refuse(where, "printed no \"success\": true or false");
    ExecutableResponse r;
    r.success = success->get_bool();
    if (!r.success) {
        r.code = printable(pj::string_or_empty(*o, "code"));
        r.message = printable(pj::string_or_empty(*o, "message"));
        if (r.code.empty() || r.message.empty()) refuse(where, "failed without a \"code\" and a \"message\"");
        return r;
    }
    const std::string_view type = pj::string_or_empty(*o, "token_type");
    if (type != kJwt && type != kIdToken && type != kSaml)
        refuse(where, "printed a token_type other than jwt, id_token or saml2");
    const auto token = pj::string_member(*o, type == kSaml ? "saml_response" : "id_token");
    if (!token || token->empty()) refuse(where, type == kSaml ? "printed no \"saml_response\"" : "printed no \"id_token\"");
    if (adc_has_control(*token)) refuse(where, "printed a token with a control character");
    r.token = std::string(*token);
    if (o->contains("expiration_time")) {
        const auto at = pj::int_member(*o, "expiration_time");
        if (!at || *at <= 0) refuse(where, "printed an expiration_time that is not Unix seconds");
        r.expires_at_s = *at;
    }
    return r;
}

std::string executable_subject_token(const ExecutableSource &source, const ExecutableContext &context,
                                     const helix::sdk::Host &host) {
    const std::int64_t now_s = host.now_unix_ms() / 1000;
    // A response the program left in its output file, while it is good.
    if (!source.output_file.empty()) {
        const auto cached = helix::plugin_common::read_local_file(source.output_file, kMaxOutputFileBytes,
                                                                  "workload identity executable output file");
        if (cached && !cached->empty()) {
            const ExecutableResponse r = parse_executable_response(*cached, "output file");
            if (r.success && r.expires_at_s > now_s) return r.token;
        }
    }
    helix::sdk::ProcessResult result;
    try {
        result = host.run_process(source.command, executable_environment(source, context),
                                  std::chrono::milliseconds(source.timeout_ms));
    } catch (const Error &e) {
        if (e.status() == HELIX_ERR_WOULD_BLOCK) throw;
        if (e.status() == HELIX_ERR_NOT_SUPPORTED)
            throw Error(HELIX_ERR_CONFIG, "the external_account file names an executable, but this host does not run "
                                          "credential programs");
        throw Error(e.status() == HELIX_ERR_RETRY ? HELIX_ERR_RETRY : HELIX_ERR_AUTH,
                    "the workload identity executable failed: " + std::string(e.what()), 502, 0,
                    "upstream_auth_failed");
    }
    if (result.exit_code != 0) {
        const std::string_view err(result.err);
        const std::string first_line = printable(err.substr(0, err.find('\n')));
        if (!first_line.empty())
            host.log(HELIX_LOG_WARNING, "gcp_vertex: the workload identity executable wrote: " + first_line);
        refuse("", "exited with code " + std::to_string(result.exit_code) + non_interactive_hint(source));
    }
    const ExecutableResponse r = parse_executable_response(result.out, "");
    if (!r.success) {
        host.log(HELIX_LOG_WARNING, "gcp_vertex: the workload identity executable failed: " + r.message);
        refuse("", "reported failure (code " + r.code + ")" + non_interactive_hint(source));
    }
    if (!source.output_file.empty() && r.expires_at_s == 0)
        refuse("", "printed no expiration_time, which an output_file needs");
    if (r.expires_at_s != 0 && r.expires_at_s <= now_s) refuse("", "printed a token that has already expired");
    return r.token;
}

} // namespace helix::gcp_vertex
