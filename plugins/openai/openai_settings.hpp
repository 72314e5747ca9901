#pragma once
// Settings of the openai provider (its `settings:` map in helixagent.yaml):
//   base_url      default https://api.openai.com/v1 (must include the /v1 prefix,
//                 as with the official SDK's baseURL)
//   api_key       sent as "Authorization: Bearer <key>"; required unless base_url
//                 points at a loopback host (a local simulator or proxy); filled
//                 from OPENAI_API_KEY by the host; never logged nor quoted
//   organization  optional, sent as OpenAI-Organization
//   project       optional, sent as OpenAI-Project
//   extra_fields  client body fields forwarded besides the default list
//                 (plugins/common/forwarded_fields.hpp), e.g. [store, service_tier]
//   models        optional list of model ids (or {id, upstream_id, context_window,
//                 capabilities}) to advertise; default: default_models()
// Unknown keys are configuration errors (they are usually typos).

#include "plugins/common/forwarded_fields.hpp"
#include "plugins/common/settings.hpp"

#include <helixagent/plugin.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace helix::openai {

inline constexpr std::string_view kDefaultBaseUrl = "https://api.openai.com/v1";

struct Settings {
    std::string base_url{kDefaultBaseUrl};
    std::string api_key;
    std::string organization;
    std::string project;
    std::vector<helix::sdk::Model> models;
    helix::plugin_common::ForwardedFields fields;

    // The key may be left out only for a loopback base_url.
    bool needs_api_key() const noexcept;
};

Settings parse_settings(std::string_view json);

// gpt-4o, gpt-4o-mini, gpt-4-turbo, gpt-4, gpt-3.5-turbo and newer ids, with
// their capabilities and context windows.
const std::vector<helix::plugin_common::KnownModel> &known_models();

} // namespace helix::openai
