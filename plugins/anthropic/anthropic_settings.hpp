#pragma once
// Settings of the anthropic provider (its `settings:` map in helixagent.yaml):
//   base_url            default https://api.anthropic.com (the SDK's baseURL: /v1/messages
//                       is appended; a base that already ends in /v1 gets /messages)
//   api_key             sent as x-api-key; required unless base_url is a loopback
//                       host; filled from ANTHROPIC_API_KEY by the host; never logged
//   anthropic_version   the anthropic-version header, default 2023-06-01
//   anthropic_beta      optional anthropic-beta header (comma-separated features)
//   max_tokens_default  max_tokens when the client gives none (Anthropic requires
//                       it), default 4096
//   extra_fields        Messages body fields passed through besides the default list
//                       (plugins/common/messages_fields.hpp), e.g. [service_tier]
//   models              optional list of model ids (or {id, upstream_id,
//                       context_window, capabilities}); default: known_models()
// Unknown keys are configuration errors (they are usually typos).

#include "plugins/common/forwarded_fields.hpp"
#include "plugins/common/settings.hpp"

#include <helixagent/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace helix::anthropic {

inline constexpr std::string_view kDefaultBaseUrl = "https://api.anthropic.com";
inline constexpr std::string_view kDefaultVersion = "2023-06-01";
inline constexpr std::int64_t kDefaultMaxTokens = 4096;

struct Settings {
    std::string base_url{kDefaultBaseUrl};
    std::string api_key;
    std::string anthropic_version{kDefaultVersion};
    std::string anthropic_beta;
    std::int64_t max_tokens_default = kDefaultMaxTokens;
    std::vector<helix::sdk::Model> models;
    helix::plugin_common::ForwardedFields fields; // extra_fields

    bool needs_api_key() const noexcept;
    std::string messages_url() const;
};

Settings parse_settings(std::string_view json);

const std::vector<helix::plugin_common::KnownModel> &known_models();

} // namespace helix::anthropic
