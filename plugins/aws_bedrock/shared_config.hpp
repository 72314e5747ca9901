#pragma once
// The AWS shared credentials and config files (~/.aws/credentials,
// ~/.aws/config): an INI dialect, parsed as the JS SDK's parseIni /
// getConfigData / getCredentialsData do, with botocore's leniency on key case.
//
//   * Lines end with "\n" (a "\r" before it is dropped); a UTF-8 BOM at the
//     start is skipped.
//   * A comment starts with '#' or ';' at the start of a line or after
//     whitespace ("key = v # note" -> "v"); "a#b" keeps its '#'.
//   * "[name]" opens a section (surrounding blanks ignored). In the config
//     file "[default]" and "[profile NAME]" (NAME may be quoted) are
//     profiles; "[profile default]" is default; other sections
//     ("[sso-session x]", "[services y]", "[other]") are not profiles and
//     their properties are ignored. In the credentials file every section is
//     a profile of that exact name.
//   * "key = value": the key (trimmed, ASCII-lowercased) is what precedes the
//     first '='; the value (trimmed) follows it. Lines without '=' or with an
//     empty key are ignored, as are properties before the first section.
//   * "key =" with an empty value opens a sub-section: the indented lines
//     after it are "key.sub = value" (e.g. "s3 =\n  max_concurrent_requests =
//     10"); a property that is not indented ends it.
//   * A section or key given twice is merged; the later value wins.
// Untrusted input (fuzzed): any bytes parse to something, never a crash.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace helix::aws_bedrock {

// sso_sessions: the config file's "[sso-session NAME]" sections, by NAME.
enum class SharedFileKind { credentials, config, sso_sessions };

using ProfileValues = std::map<std::string, std::string, std::less<>>;
using Profiles = std::map<std::string, ProfileValues, std::less<>>;

inline constexpr std::size_t kMaxSharedFileBytes = 1024 * 1024;

Profiles parse_shared_file(std::string_view text, SharedFileKind kind);

// One profile as the SDKs see it: the config file's values, overridden key by
// key by the credentials file's. nullopt when neither file has the profile.
std::optional<ProfileValues> merge_profile(const Profiles *credentials, const Profiles *config, std::string_view name);

} // namespace helix::aws_bedrock
