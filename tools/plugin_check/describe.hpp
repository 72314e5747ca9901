#pragma once
// helixagent-plugin-check --describe: what a plugin declares, read with the
// daemon's own loader: name, version and ABI, its settings table (type,
// default, flags, description, the environment variables that fill each key
// and for which provider), and the models an instance made from the given
// settings lists, with their capabilities.
//
// Three forms of the same facts: text for an operator at a terminal,
// Markdown (a table per section) to paste into a plugin's documentation
// page, and JSON for scripts. Secret values never appear: the instance is
// created with the daemon's redaction, so a secret a plugin puts into its
// refusal is shown as [redacted].

#include <ostream>
#include <string>

namespace helix::plugin_check {

enum class DescribeFormat { text, markdown, json };

// Parses "text", "markdown" or "json"; false for anything else.
bool parse_describe_format(const std::string &name, DescribeFormat &out);

// Prints the description of the plugin at `path` to `out`; `settings_json`
// is what the instance for the model list is created from. Returns 0, or 1
// (with the loader's reason on `err`) when the library cannot be loaded. A plugin
// that refuses the settings still has its table printed, and the reason
// instead of the models.
int describe(const std::string &path, const std::string &settings_json, DescribeFormat format, std::ostream &out,
             std::ostream &err);

} // namespace helix::plugin_check
