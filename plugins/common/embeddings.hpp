#pragma once
// What every provider's embeddings translation shares: the inputs as texts
// (for APIs that take no token ids) and one vector from the upstream's JSON
// as the float32 values HELIX_EVENT_EMBEDDING carries.

#include <helixagent/plugin_abi.h>

#include <boost/json/value.hpp>

#include <string_view>
#include <vector>

namespace helix::plugin_common {

// Throws HELIX_ERR_PROTOCOL naming `what` ("data[2].embedding") unless `v`
// is a non-empty array of finite numbers that fit a float.
std::vector<float> read_embedding(const boost::json::value &v, std::string_view what);

// The inputs' texts; throws HELIX_ERR_INVALID_REQUEST (400, param "input")
// when the client gave token ids, which `provider`'s API does not take.
std::vector<std::string_view> text_inputs(const helix_embeddings_request &request, std::string_view provider);

} // namespace helix::plugin_common
