#pragma once
// Which members of a client's chat completions body an OpenAI-style plugin
// forwards upstream. The client's body is passed on (so fields the gateway
// does not model still reach the provider), but only the fields OpenAI
// documents for chat completions that change neither where data is kept nor
// what is billed; every other member is dropped, as the gateway promises
// ("unknown fields are ignored"). An operator adds more per provider with
// the plugin setting `extra_fields: [store, service_tier, ...]`.
//
// Azure's `data_sources` (On Your Data) makes Azure reach other services with
// credentials named in the request, e.g. the resource's managed identity: a
// request carrying it is refused (400, param "data_sources") unless the
// provider's settings say `allow_data_sources: true`.

#include "plugins/common/settings.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace helix::plugin_common {

struct ForwardedFields {
    std::vector<std::string> extra; // forwarded besides the default list
    bool allow_data_sources = false;
};

// The default list (messages, model, stream, tools, temperature, ...).
const std::vector<std::string> &default_forwarded_fields();

// Reads `extra_fields` and, when `data_sources_setting`, `allow_data_sources`.
// The caller lists both keys as known.
ForwardedFields read_forwarded_fields(const SettingsReader &settings, bool data_sources_setting);

// Drops the members that are not forwarded; throws HELIX_ERR_INVALID_REQUEST
// (400) for a data_sources the settings do not allow.
void keep_forwarded_fields(boost::json::object &body, const ForwardedFields &policy);

// The rule itself, for any body a plugin passes on (chat completions here,
// Anthropic's Messages in messages_fields.hpp): a member named in `listed`
// or in policy.extra stays, every other member is dropped.
void keep_listed_fields(boost::json::object &body, const std::vector<std::string> &listed,
                        const ForwardedFields &policy);

// Drops Anthropic's cache_control from messages, their content parts and
// tools: OpenAI caches prompts on its own and refuses the member ("Additional
// properties are not allowed").
void drop_cache_control(boost::json::object &body);

} // namespace helix::plugin_common
