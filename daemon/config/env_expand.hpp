#pragma once
// ${VAR} and ${VAR:-default} references in YAML scalars, resolved against an
// explicit environment map so tests (and reloads) never depend on the real
// process environment.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace helix::config {

using Environment = std::map<std::string, std::string>;

// A copy of the process environment (environ), taken once per load so that
// one snapshot sees one consistent environment.
Environment process_environment();

struct Expansion {
    bool ok = true;
    std::string value; // the expanded text when ok
    // Names the offending variable or construct, never a value: the text
    // around it may be a secret.
    std::string error;
    // True when any part of `value` came from a variable's value (not from a
    // default written in the file); callers treat such values as secrets.
    bool from_environment = false;
    std::vector<std::string> variables; // the variables whose values were used, in order
};

// Expands, left to right:
//   ${VAR}           the variable's value; an error if VAR is unset
//   ${VAR:-default}  the value if VAR is set and non-empty, else `default`
//   $$               a literal '$'
// Any other '$' is kept as is, so passwords containing '$' survive. Names
// follow the shell: [A-Za-z_][A-Za-z0-9_]*. "${", "${}", a bad name, an
// operator other than ":-" or a nested "${" inside a default is an error.
Expansion expand_env(std::string_view text, const Environment &env);

} // namespace helix::config
