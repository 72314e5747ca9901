#define BOOST_TEST_MODULE config_env_expand
#include <boost/test/unit_test.hpp>

#include "daemon/config/env_expand.hpp"

#include <cstdlib>
#include <string>
#include <vector>

using helix::config::Environment;
using helix::config::expand_env;
using helix::config::Expansion;

namespace {

const Environment kEnv{{"HOST", "example.com"}, {"PORT", "8080"}, {"EMPTY", ""}, {"SECRET", "sk-live-Zx9"}};

// Expanded text, or "ERROR: <message>" so one comparison checks both.
std::string expand(std::string_view text) {
    const Expansion result = expand_env(text, kEnv);
    return result.ok ? result.value : "ERROR: " + result.error;
}

bool fails(std::string_view text) { return !expand_env(text, kEnv).ok; }

} // namespace

BOOST_AUTO_TEST_CASE(text_without_references_is_unchanged) {
    BOOST_TEST(expand("") == "");
    BOOST_TEST(expand("plain text") == "plain text");
    BOOST_TEST(expand("{braces} and }") == "{braces} and }");
    const Expansion result = expand_env("plain", kEnv);
    BOOST_TEST(!result.from_environment);
    BOOST_TEST(result.variables.empty());
}

BOOST_AUTO_TEST_CASE(set_variables) {
    BOOST_TEST(expand("${HOST}") == "example.com");
    BOOST_TEST(expand("https://${HOST}:${PORT}/v1") == "https://example.com:8080/v1");
    BOOST_TEST(expand("${EMPTY}") == ""); // set but empty: like the shell
    const Expansion result = expand_env("${HOST}:${PORT}", kEnv);
    BOOST_TEST(result.from_environment);
    BOOST_TEST(result.variables == (std::vector<std::string>{"HOST", "PORT"}));
}

BOOST_AUTO_TEST_CASE(defaults) {
    BOOST_TEST(expand("${HOST:-localhost}") == "example.com");
    BOOST_TEST(expand("${NOPE:-localhost}") == "localhost");
    BOOST_TEST(expand("${EMPTY:-fallback}") == "fallback"); // ":-" also covers empty, like the shell
    BOOST_TEST(expand("${NOPE:-}") == "");
    BOOST_TEST(expand("${NOPE:-/usr/lib/x y}") == "/usr/lib/x y");
    BOOST_TEST(expand("${NOPE:-a:-b}") == "a:-b");
    const Expansion from_default = expand_env("${NOPE:-1}", kEnv);
    BOOST_TEST(!from_default.from_environment); // a default is written in the file, not a secret by origin
    BOOST_TEST(expand_env("${PORT:-1}", kEnv).from_environment);
}

BOOST_AUTO_TEST_CASE(dollar_escapes) {
    BOOST_TEST(expand("$$") == "$");
    BOOST_TEST(expand("pa$$word") == "pa$word");
    BOOST_TEST(expand("$${HOST}") == "${HOST}");
    BOOST_TEST(expand("$$$${HOST}") == "$${HOST}");
    BOOST_TEST(expand("$$${HOST}") == "$example.com");
    // A lone '$' is literal, so passwords containing one survive.
    BOOST_TEST(expand("pa$word") == "pa$word");
    BOOST_TEST(expand("cost: 5$") == "cost: 5$");
    BOOST_TEST(expand("$HOST") == "$HOST");
}

BOOST_AUTO_TEST_CASE(unset_variable_is_an_error_naming_it) {
    const Expansion result = expand_env("x-${MISSING_VAR}-y", kEnv);
    BOOST_TEST(!result.ok);
    BOOST_TEST(result.error.find("'MISSING_VAR' is not set") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_CASE(bad_syntax) {
    BOOST_TEST(expand("${") == "ERROR: unterminated '${' at column 1");
    BOOST_TEST(expand("ab${HOST") == "ERROR: unterminated '${' at column 3");
    BOOST_TEST(expand("${}") == "ERROR: empty variable reference '${}' at column 1");
    BOOST_TEST(fails("${1ABC}"));
    BOOST_TEST(fails("${A-B}"));
    BOOST_TEST(fails("${ HOST}"));
    BOOST_TEST(fails("${:-x}"));
    BOOST_TEST(fails("${HOST:x}"));
    BOOST_TEST(fails("${HOST:=x}"));
    BOOST_TEST(fails("${HOST:}"));
    BOOST_TEST(fails("${A:-${B}}"));
    BOOST_TEST(fails("ok ${HOST} then ${"));
}

BOOST_AUTO_TEST_CASE(errors_never_echo_the_surrounding_text) {
    for (const char *text : {"sk-live-Zx9 ${", "sk-live-Zx9 ${}", "${sk-live-Zx9}", "sk-live-Zx9${UNSET}",
                             "${SECRET} ${UNSET}", "${SECRET:x}"}) {
        const Expansion result = expand_env(text, kEnv);
        BOOST_TEST_CONTEXT("input '" << text << "'") {
            BOOST_TEST(!result.ok);
            BOOST_TEST(result.error.find("Zx9") == std::string::npos, result.error);
        }
    }
}

BOOST_AUTO_TEST_CASE(process_environment_reads_environ) {
    BOOST_REQUIRE(::setenv("HELIX_ENV_EXPAND_TEST", "a=b=c", 1) == 0);
    const Environment env = helix::config::process_environment();
    const auto found = env.find("HELIX_ENV_EXPAND_TEST");
    BOOST_REQUIRE(found != env.end());
    BOOST_TEST(found->second == "a=b=c"); // split at the first '=' only
    ::unsetenv("HELIX_ENV_EXPAND_TEST");
    BOOST_TEST(helix::config::process_environment().count("HELIX_ENV_EXPAND_TEST") == 0U);
}
