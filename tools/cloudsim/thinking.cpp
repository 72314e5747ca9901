#include "tools/cloudsim/thinking.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace helix::cloudsim {

namespace {

constexpr std::string_view kKey = "helix-cloudsim thinking signature key";
constexpr std::string_view kRedactedPrefix = "SIMREDACTED.";

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string mac(std::string_view context, std::string_view content) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    const std::string message = std::string(context) + '\x1f' + std::string(content);
    HMAC(EVP_sha256(), kKey.data(), static_cast<int>(kKey.size()),
         reinterpret_cast<const unsigned char *>(message.data()), message.size(), out.data(), &len);
    return base64(std::string_view(reinterpret_cast<const char *>(out.data()), len));
}

bool same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

std::string thinking_text(const SimPrompt &prompt) {
    std::string about = prompt.ends_with_tool_result ? prompt.tool_result_text : prompt.last_user_text;
    std::string words;
    std::size_t count = 0;
    for (std::size_t i = 0; i < about.size() && count < 8;) {
        while (i < about.size() && (about[i] == ' ' || about[i] == '\n' || about[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < about.size() && about[i] != ' ' && about[i] != '\n' && about[i] != '\t') ++i;
        if (i > start) {
            if (!words.empty()) words += ' ';
            words.append(about, start, i - start);
            ++count;
        }
    }
    std::string text = "Thinking about: " + (words.empty() ? std::string("the request") : words) + ".";
    text += prompt.ends_with_tool_result ? " The tool has answered; I can reply." : " Let me work out the answer.";
    return text;
}

std::string sign_thinking(std::string_view content) { return mac("signature", content); }

bool valid_signature(std::string_view content, std::string_view signature) {
    return !signature.empty() && same(sign_thinking(content), signature);
}

std::string redacted_thinking_data(std::string_view seed) {
    const std::string payload = base64("redacted reasoning of: " + std::string(seed.substr(0, 64)));
    return std::string(kRedactedPrefix) + payload + "." + mac("redacted", payload);
}

bool valid_redacted_data(std::string_view data) {
    if (!data.starts_with(kRedactedPrefix)) return false;
    const std::string_view rest = data.substr(kRedactedPrefix.size());
    const std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return false;
    return same(mac("redacted", rest.substr(0, dot)), rest.substr(dot + 1));
}

} // namespace helix::cloudsim
