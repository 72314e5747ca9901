#pragma once
// Reading a plugin's settings (the JSON object the host hands over from the
// provider's `settings:` map). Every failure throws helix::sdk::Error with
// HELIX_ERR_CONFIG and a message naming the key ("settings.base_url ...").
// Messages never quote values, so a secret in a wrong place stays unseen.

#include <helixagent/plugin.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::plugin_common {

class SettingsReader {
public:
    // Parses the JSON; empty text counts as {}. Throws unless it is an object.
    explicit SettingsReader(std::string_view json);

    // Throws for a key that is not in `known` (catches typos such as "apikey").
    void reject_unknown(std::initializer_list<std::string_view> known) const;

    // Absent or null -> nullopt; another type -> throws.
    std::optional<std::string> string(std::string_view key) const;
    // Like string(), and an empty string also throws.
    std::optional<std::string> non_empty_string(std::string_view key) const;
    // Like string(), for a value sent as an HTTP header: control characters
    // (CR, LF, NUL, ...) throw, so a value cannot smuggle in another header.
    std::optional<std::string> header_value(std::string_view key) const;
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;

    // An http(s) URL without a trailing '/', or throws.
    std::optional<std::string> base_url(std::string_view key) const;

    const boost::json::object &object() const noexcept { return object_; }

private:
    boost::json::object object_;
};

// A model a provider serves, as settings list it. `models` is a list whose
// items are either an id ("gpt-4o") or an object
//   {id, upstream_id?, context_window?, max_embedding_inputs?,
//    capabilities?: [streaming, tools, vision, n, embeddings]}.
// A bare id takes its capabilities, context window and embedding batch limit
// from `known` when listed there, else `fallback_capabilities` and 0 (unknown).
// Without `models`: the known models listed_by_default.
struct KnownModel {
    std::string_view id;
    std::uint32_t capabilities;
    std::int64_t context_window;
    std::uint32_t max_embedding_inputs = 0; // inputs per upstream request; 0 = no limit
    // Part of the list a provider advertises without `models`. Embedding
    // models are not: they are known (a bare id gets their capabilities and
    // limit) but served only where `models` lists them.
    bool listed_by_default = true;
};

std::vector<helix::sdk::Model> read_models(const SettingsReader &settings, std::string_view key,
                                           const std::vector<KnownModel> &known, std::uint32_t fallback_capabilities);

// True when the URL's host is a loopback address (127.x, ::1, localhost):
// a local simulator or proxy.
bool is_loopback_url(std::string_view url) noexcept;

// A credential is sent to `url` (settings.<key>): it must be https://
// unless the host is loopback (a local simulator or proxy); else throws
// HELIX_ERR_CONFIG naming the key.
void require_https_for_credentials(std::string_view url, std::string_view key);

} // namespace helix::plugin_common
