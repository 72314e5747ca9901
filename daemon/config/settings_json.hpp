#pragma once
// A plugin's free-form `settings:` map as the JSON object handed to the
// plugin (ProviderConfig::settings_json).

#include "daemon/config/load_context.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace helix::config {

// Converts `value` (a map, or null for an empty map) with ${...} expanded in
// every scalar. Maps and lists nest; a plain scalar that reads as a YAML 1.2
// bool, null, integer or float becomes that JSON type, anything quoted or
// tagged stays a string. Problems go to `ctx`; `path` names the map in them.
boost::json::object settings_to_json(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value,
                                     const std::string &path);

// One value of such a map (a map, list, scalar or null) by the same rule;
// `secret` marks it and everything under it as never to be echoed.
boost::json::value settings_value_to_json(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value,
                                          const std::string &path, bool secret);

// The JSON value of one expanded scalar, by the rule above.
boost::json::value typed_scalar(const Scalar &scalar);

} // namespace helix::config
