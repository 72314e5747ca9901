// Fuzz target for the replies of the AWS credential sources (libFuzzer with
// HELIX_FUZZ=ON; corpus/credential_reply replays in every build). Byte 0
// picks the parser, the rest is the reply:
//   0  STS AssumeRoleWithWebIdentity XML;
//   1  the container endpoint's / IMDS's JSON;
//   2  an ISO 8601 expiry on its own.
// Checked: credentials are complete (key id, secret, and no control
// character in the key id or token) or the reply is refused with an auth
// error whose message quotes no secret: for STS none of kSecret and kToken
// (which stand for them in the corpus), for JSON not the reply's
// SecretAccessKey or Token (its Code is quoted, so a secret may be seen
// there); an accepted time has four digits of year.
#include "plugins/aws_bedrock/credential_chain.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view kSecret = "fuzzSECRETfuzzSECRET";
constexpr std::string_view kToken = "fuzzTOKENfuzzTOKEN";
constexpr std::int64_t kNowMs = 1'767'225'600'000; // 2026-01-01

void check(bool condition) {
    if (!condition) std::abort();
}

bool clean(std::string_view s) {
    for (const char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

// What a refusal's message must not show, after the part it may quote is
// taken out.
struct Secrets {
    std::vector<std::string> values;
    std::string quoted; // "'<Code, at most 64 bytes>'", which messages quote
};

// The secrets of a JSON reply: SecretAccessKey and Token, unless its Code
// (which messages quote) holds them too.
Secrets json_secrets(std::string_view reply) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(reply, ec);
    const boost::json::object *o = ec ? nullptr : v.if_object();
    if (o == nullptr) return {};
    const auto text = [&](std::string_view name) {
        const boost::json::value *m = o->if_contains(name);
        return m != nullptr && m->is_string() ? std::string(m->get_string()) : std::string();
    };
    const std::string code = text("Code");
    Secrets secrets{{}, "'" + code.substr(0, 64) + "'"};
    for (const char *name : {"SecretAccessKey", "Token"}) {
        std::string secret = text(name);
        if (secret.size() >= 8 && code.find(secret) == std::string::npos) secrets.values.push_back(std::move(secret));
    }
    return secrets;
}

template <class Parse> void credentials(Parse parse, const Secrets &secrets) {
    try {
        const helix::aws_bedrock::TimedCredentials c = parse();
        check(!c.credentials.access_key_id.empty() && !c.credentials.secret_access_key.empty());
        check(clean(c.credentials.access_key_id) && clean(c.credentials.session_token));
        check(c.expires_at_ms.has_value());
    } catch (const helix::sdk::Error &e) {
        check(e.status() == HELIX_ERR_AUTH);
        std::string message = e.what();
        if (const std::size_t at = message.find(secrets.quoted); at != std::string::npos)
            message.erase(at, secrets.quoted.size());
        for (const std::string &secret : secrets.values) check(message.find(secret) == std::string::npos);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace helix::aws_bedrock;
    if (size < 1) return 0;
    const std::string_view reply(reinterpret_cast<const char *>(data + 1), size - 1);
    switch (data[0] % 3u) {
    case 0:
        credentials([&] { return parse_sts_credentials(reply, kNowMs); },
                    Secrets{{std::string(kSecret), std::string(kToken)}, {}});
        break;
    case 1:
        credentials([&] { return parse_json_credentials(reply, kNowMs, "the container credentials endpoint"); },
                    json_secrets(reply));
        break;
    default:
        if (parse_iso8601_ms(reply))
            for (std::size_t i = 0; i < 4; ++i) check(reply[i] >= '0' && reply[i] <= '9');
        break;
    }
    return 0;
}
