#include "daemon/plugins/secret_redactor.hpp"

#include "daemon/config/syntax.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

namespace helix::plugins {
namespace {

// Shorter values are not worth replacing: "1" or "on" would blank out
// ordinary text and protect nothing.
constexpr std::size_t kMinSecretLength = 4;

bool flagged_secret(const helix_plugin_descriptor &d, std::string_view key) {
    for (std::size_t i = 0; i < d.setting_count; ++i)
        if (d.settings[i]->name == key) return (d.settings[i]->flags & HELIX_SETTING_SECRET) != 0;
    return false;
}

void collect(const boost::json::value &value, bool secret, std::vector<std::string> &out) {
    if (value.is_string()) {
        if (secret && value.get_string().size() >= kMinSecretLength) out.emplace_back(value.get_string());
    } else if (value.is_array()) {
        for (const auto &item : value.get_array()) collect(item, secret, out);
    } else if (value.is_object()) {
        for (const auto &member : value.get_object())
            collect(member.value(), secret || config::is_secret_name(member.key()), out);
    } else if (secret && (value.is_int64() || value.is_uint64())) {
        const std::string digits = value.is_int64() ? std::to_string(value.get_int64()) : std::to_string(value.get_uint64());
        if (digits.size() >= kMinSecretLength) out.push_back(digits); // a numeric PIN or account key
    }
}

void replace_all(std::string &text, const std::string &value) {
    for (std::size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + SecretRedactor::kMark.size()))
        text.replace(at, value.size(), SecretRedactor::kMark);
}

template <std::size_t N> void redact_buffer(const SecretRedactor &r, char (&buffer)[N]) {
    std::string text(buffer, strnlen(buffer, N));
    const std::string clean = r.redact(text);
    if (clean == text) return;
    const std::size_t n = std::min(clean.size(), N - 1);
    std::memcpy(buffer, clean.data(), n);
    std::memset(buffer + n, 0, N - n);
}

} // namespace

SecretRedactor::SecretRedactor(const helix_plugin_descriptor &table, std::string_view settings_json) {
    boost::system::error_code error;
    const boost::json::value parsed = boost::json::parse(settings_json, error);
    if (error || !parsed.is_object()) return;
    for (const auto &member : parsed.get_object())
        collect(member.value(), flagged_secret(table, member.key()) || config::is_secret_name(member.key()), values_);
    std::sort(values_.begin(), values_.end(), [](const auto &a, const auto &b) { return a.size() > b.size(); });
    values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
}

SecretRedactor::~SecretRedactor() {
    for (std::string &value : values_) OPENSSL_cleanse(value.data(), value.size());
}

std::string SecretRedactor::redact(std::string text) const {
    for (const std::string &value : values_) replace_all(text, value);
    return text;
}

void SecretRedactor::redact(helix_error &error) const {
    if (values_.empty() || error.struct_size < sizeof(helix_error)) return;
    redact_buffer(*this, error.message);
    redact_buffer(*this, error.code);
    redact_buffer(*this, error.param);
}

} // namespace helix::plugins
