#pragma once
// The values of a provider's secret settings (the keys its plugin's table
// flags HELIX_SETTING_SECRET, and keys named like one: *key*, *secret*,
// *token*, *password*, *credential*), and the one operation on them: replacing
// each occurrence in a text the host is about to log, print or send to a
// client. Applied to everything a plugin hands back as text (log lines, error
// messages, codes and params, health details), since a plugin may echo its own
// configuration by mistake.

#include <helixagent/plugin_abi.h>

#include <string>
#include <string_view>
#include <vector>

namespace helix::plugins {

class SecretRedactor {
public:
    SecretRedactor() = default;
    // The secret values in `settings_json` (a JSON object) by `table`.
    SecretRedactor(const helix_plugin_descriptor &table, std::string_view settings_json);
    ~SecretRedactor();
    SecretRedactor(const SecretRedactor &) = delete;
    SecretRedactor &operator=(const SecretRedactor &) = delete;
    SecretRedactor(SecretRedactor &&) noexcept = default;
    SecretRedactor &operator=(SecretRedactor &&) noexcept = default;

    static constexpr std::string_view kMark = "[redacted]";

    std::string redact(std::string text) const;
    // The same in place on every string of a helix_error, kept NUL-terminated.
    void redact(helix_error &error) const;
    bool empty() const noexcept { return values_.empty(); }

private:
    std::vector<std::string> values_; // longest first, so a longer secret is not half-replaced by a shorter one
};

} // namespace helix::plugins
