#include "plugins/aws_bedrock/credential_chain.hpp"

#include "plugins/aws_bedrock/assume_role.hpp"
#include "plugins/aws_bedrock/credential_fetch.hpp"
#include "plugins/aws_bedrock/process_credentials.hpp"
#include "plugins/aws_bedrock/sso_credentials.hpp"
#include "plugins/aws_bedrock/shared_config.hpp"
#include "plugins/common/local_file.hpp"
#include "plugins/common/json_access.hpp"
#include "plugins/common/upstream_error.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <charconv>

namespace helix::aws_bedrock {

namespace {

namespace pj = helix::plugin_common::json;
using helix::sdk::Error;
using helix::plugin_common::read_local_file;

constexpr std::string_view kImdsTokenPath = "/latest/api/token";
constexpr std::string_view kImdsExtendedPath = "/latest/meta-data/iam/security-credentials-extended/";
constexpr std::string_view kImdsLegacyPath = "/latest/meta-data/iam/security-credentials/";
constexpr std::size_t kMaxTokenFileBytes = 1024 * 1024;

std::string_view trim(std::string_view s) noexcept { return trim_blanks(s); }

std::string form_value(std::string_view v) { return helix::aws::uri_encode(v, false); }

helix::sdk::HttpResponse fetch(const helix::sdk::Host &host, const helix::sdk::HttpRequest &request,
                               std::chrono::milliseconds timeout, std::string_view source) {
    return fetch_credentials(host, request, timeout, source);
}

int two_digits(std::string_view s, std::size_t at) noexcept {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

void append_utf8(std::string &out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string xml_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        const std::size_t semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 12) {
            out += s[i];
            continue;
        }
        const std::string_view entity = s.substr(i + 1, semi - i - 1);
        std::optional<std::uint32_t> cp;
        if (entity == "amp") cp = '&';
        else if (entity == "lt") cp = '<';
        else if (entity == "gt") cp = '>';
        else if (entity == "quot") cp = '"';
        else if (entity == "apos") cp = '\'';
        else if (entity.size() > 1 && entity[0] == '#') {
            const bool hex = entity[1] == 'x' || entity[1] == 'X';
            const std::string_view digits = entity.substr(hex ? 2 : 1);
            std::uint32_t v = 0;
            const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
            if (r.ec == std::errc{} && r.ptr == digits.data() + digits.size() && !digits.empty() && v > 0 &&
                v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF))
                cp = v;
        }
        if (!cp) {
            out += s[i];
            continue;
        }
        append_utf8(out, *cp);
        i = semi;
    }
    return out;
}

std::string credentials_source_name(const Settings &s) {
    return s.container_credentials_relative_uri.empty() ? "the container credentials endpoint (full URI)"
                                                        : "the container credentials endpoint (" + s.ecs_endpoint + ")";
}

} // namespace

std::optional<std::int64_t> parse_iso8601_ms(std::string_view t) noexcept {
    // YYYY-MM-DDTHH:MM:SS[.fff...](Z|+hh:mm|-hh:mm)
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' ||
        t[16] != ':')
        return std::nullopt;
    int year = 0;
    const auto [year_end, year_error] = std::from_chars(t.data(), t.data() + 4, year);
    if (year_error != std::errc{} || year_end != t.data() + 4 || year < 0) return std::nullopt; // four digits
    const int month = two_digits(t, 5), day = two_digits(t, 8), hour = two_digits(t, 11), minute = two_digits(t, 14),
              second = two_digits(t, 17);
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 60)
        return std::nullopt;
    std::size_t at = 19;
    std::int64_t millis = 0;
    if (at < t.size() && t[at] == '.') {
        ++at;
        int digits = 0;
        while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
            if (digits < 3) millis = millis * 10 + (t[at] - '0');
            ++digits;
            ++at;
        }
        if (digits == 0) return std::nullopt;
        for (int d = digits; d < 3; ++d) millis *= 10;
    }
    std::int64_t offset_s = 0;
    if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
        ++at;
    } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
        const int oh = two_digits(t, at + 1), om = two_digits(t, at + 4);
        if (oh < 0 || om < 0 || at + 6 > t.size() || t[at + 3] != ':') return std::nullopt;
        offset_s = (t[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != t.size()) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                          std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;
    const std::int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
    const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
    return seconds * 1000 + millis;
}

namespace {

// The raw content of the first <tag>...</tag> (no attributes expected).
std::optional<std::string_view> xml_element_raw(std::string_view xml, std::string_view tag) {
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    const std::size_t begin = xml.find(open);
    if (begin == std::string_view::npos) return std::nullopt;
    const std::size_t content = begin + open.size();
    const std::size_t end = xml.find(close, content);
    if (end == std::string_view::npos) return std::nullopt;
    return trim(xml.substr(content, end - content));
}

} // namespace

std::optional<std::string> xml_element_text(std::string_view xml, std::string_view tag) {
    const auto raw = xml_element_raw(xml, tag);
    if (!raw) return std::nullopt;
    return xml_unescape(*raw);
}

TimedCredentials parse_sts_credentials(std::string_view xml, std::int64_t now_ms) {
    const auto credentials = xml_element_raw(xml, "Credentials");
    if (!credentials)
        throw Error(HELIX_ERR_AUTH, "STS answered without Credentials", 502, 0,
                    "upstream_auth_failed");
    TimedCredentials out;
    const std::string_view raw = *credentials;
    auto id = xml_element_text(raw, "AccessKeyId");
    auto secret = xml_element_text(raw, "SecretAccessKey");
    auto token = xml_element_text(raw, "SessionToken");
    if (!id || !secret || !token || id->empty() || secret->empty() || token->empty() || has_control_character(*id) ||
        has_control_character(*token))
        throw Error(HELIX_ERR_AUTH, "STS answered with incomplete credentials", 502, 0, "upstream_auth_failed");
    out.credentials = {std::move(*id), std::move(*secret), std::move(*token)};
    const auto expiration = xml_element_text(raw, "Expiration");
    const auto at = expiration ? parse_iso8601_ms(*expiration) : std::nullopt;
    out.expires_at_ms = at.value_or(now_ms + kUnknownExpiryMs);
    return out;
}

TimedCredentials parse_json_credentials(std::string_view json, std::int64_t now_ms, std::string_view source) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(json, ec);
    const boost::json::object *o = ec ? nullptr : v.if_object();
    const auto fail = [&](const std::string &why) {
        throw Error(HELIX_ERR_AUTH, std::string(source) + " answered " + why, 502, 0, "upstream_auth_failed");
    };
    if (o == nullptr) fail("with something that is not a JSON object");
    if (const auto code = pj::string_member(*o, "Code"); code && *code != "Success")
        fail("with Code '" + std::string(code->substr(0, 64)) + "' instead of Success");
    const auto id = pj::string_member(*o, "AccessKeyId");
    const auto secret = pj::string_member(*o, "SecretAccessKey");
    if (!id || !secret || id->empty() || secret->empty()) fail("without AccessKeyId and SecretAccessKey");
    const std::string_view token = pj::string_or_empty(*o, "Token");
    if (has_control_character(*id) || has_control_character(token)) fail("with a malformed key or token");
    TimedCredentials out;
    out.credentials = {std::string(*id), std::string(*secret), std::string(token)};
    const auto at = parse_iso8601_ms(pj::string_or_empty(*o, "Expiration"));
    out.expires_at_ms = at.value_or(now_ms + kUnknownExpiryMs);
    return out;
}

// ---------------------------------------------------------------------------

CredentialChain::CredentialChain(const Settings &settings, const helix::sdk::Host &host)
    : settings_(settings), host_(host) {
    if (auto local = resolve(false)) {
        host_.log(HELIX_LOG_INFO, "aws_bedrock: using AWS credentials from " + local->source);
        cached_ = std::move(local);
    }
}

bool CredentialChain::fresh(const TimedCredentials &c, std::int64_t now_ms) const noexcept {
    return !c.expires_at_ms || now_ms + kRefreshMarginMs < *c.expires_at_ms;
}

TimedCredentials CredentialChain::get() {
    std::unique_lock lock(mutex_);
    std::int64_t now = host_.now_unix_ms();
    const auto usable = [&] { return cached_ && cached_->expires_at_ms && now < *cached_->expires_at_ms; };
    for (;;) {
        now = host_.now_unix_ms();
        if (cached_ && fresh(*cached_, now)) return *cached_;
        if (last_failure_ && now >= last_failure_ms_ && now - last_failure_ms_ < kFailureBackoffMs) {
            if (usable()) return *cached_;
            throw *last_failure_;
        }
        // Another call is resolving: unexpired credentials do meanwhile, else wait for it.
        if (resolving_ && usable()) return *cached_;
        // Resolving reads files, runs credential_process or fetches: not on
        // the host's event loop, which asks again on a worker thread.
        if (!host_.may_block()) throw helix::sdk::would_block();
        if (!resolving_) break;
        resolved_.wait(lock);
    }
    resolving_ = true;
    lock.unlock();
    std::optional<TimedCredentials> resolved;
    std::optional<Error> failure;
    try {
        resolved = resolve(true);
        if (!resolved) failure = Error(HELIX_ERR_INTERNAL, "the AWS credential chain ended without an answer");
    } catch (const Error &e) {
        failure = e;
    } catch (...) {
        // Anything else (out of memory): let the waiting calls go on, then fail.
        lock.lock();
        resolving_ = false;
        resolved_.notify_all();
        throw;
    }
    if (failure && failure->status() == HELIX_ERR_WOULD_BLOCK) { // not a failure to remember: asked again elsewhere
        lock.lock();
        resolving_ = false;
        resolved_.notify_all();
        throw *failure;
    }
    lock.lock();
    resolving_ = false;
    resolved_.notify_all();
    now = host_.now_unix_ms();
    if (!failure) {
        last_failure_.reset();
        const bool changed = !cached_ || cached_->source != resolved->source;
        cached_ = std::move(resolved);
        if (changed) host_.log(HELIX_LOG_INFO, "aws_bedrock: using AWS credentials from " + cached_->source);
        return *cached_;
    }
    last_failure_ = *failure;
    last_failure_ms_ = now;
    if (usable()) {
        host_.log(HELIX_LOG_WARNING, std::string("aws_bedrock: refreshing AWS credentials failed; the current "
                                                 "ones stay in use until they expire: ") +
                                         failure->what());
        return *cached_;
    }
    throw *failure;
}

void CredentialChain::rejected(const helix::aws::Credentials &credentials) {
    std::lock_guard lock(mutex_);
    if (cached_ && cached_->credentials.access_key_id == credentials.access_key_id &&
        cached_->credentials.session_token == credentials.session_token) {
        host_.log(HELIX_LOG_INFO, "aws_bedrock: Bedrock refused the AWS credentials from " + cached_->source +
                                      " as expired or invalid; they are resolved again");
        cached_.reset();
        last_failure_.reset();
    }
}

helix_health CredentialChain::health(std::string &detail) const {
    std::lock_guard lock(mutex_);
    const std::int64_t now = host_.now_unix_ms();
    if (cached_ && (!cached_->expires_at_ms || now < *cached_->expires_at_ms)) return HELIX_HEALTH_OK;
    if (last_failure_) {
        detail = last_failure_->what();
        return HELIX_HEALTH_FAILING;
    }
    detail = "no AWS credentials yet; they are resolved with the first request";
    return HELIX_HEALTH_DEGRADED;
}

std::optional<TimedCredentials> CredentialChain::resolve(bool allow_network) const {
    const Settings &s = settings_;
    std::optional<TimedCredentials> base = resolve_base(allow_network);
    if (s.role_arn.empty() || !s.web_identity_token_file.empty()) return base;
    // settings.role_arn: assumed with whatever the chain found (cross-account access).
    if (!base || !allow_network) return std::nullopt;
    TimedCredentials role = assume_role(
        s, host_, base->credentials,
        RoleToAssume{s.role_arn, s.role_session_name, s.external_id, s.duration_seconds, "settings.role_arn"});
    role.source += ", with credentials from " + base->source;
    return role;
}

std::optional<TimedCredentials> CredentialChain::resolve_base(bool allow_network) const {
    const Settings &s = settings_;
    if (!s.access_key_id.empty())
        return TimedCredentials{{s.access_key_id, s.secret_access_key, s.session_token}, std::nullopt,
                                "settings.access_key_id (AWS_BEDROCK_ACCESS_KEY_ID)"};
    // A profile named explicitly (settings.profile, AWS_PROFILE) wins over the
    // standard environment keys, as in the AWS SDKs.
    if (!s.aws_access_key_id.empty() && !s.profile_explicit())
        return TimedCredentials{{s.aws_access_key_id, s.aws_secret_access_key, s.aws_session_token}, std::nullopt,
                                "settings.aws_access_key_id (AWS_ACCESS_KEY_ID)"};
    bool stop = false;
    if (auto p = from_profile(allow_network, stop)) return p;
    if (stop) return std::nullopt; // an explicit profile has credentials or is an error
    if (!s.web_identity_token_file.empty() && !s.role_arn.empty()) {
        if (!allow_network) return std::nullopt;
        return web_identity(s.web_identity_token_file, s.role_arn, s.role_session_name);
    }
    if (!s.container_credentials_relative_uri.empty() || !s.container_credentials_full_uri.empty()) {
        if (!allow_network) return std::nullopt;
        return container();
    }
    if (!s.imds_disabled) {
        if (!allow_network) return std::nullopt;
        try {
            return instance_metadata();
        } catch (const Error &e) {
            throw Error(e.status(),
                        "no AWS credentials found: no keys in the settings (AWS_BEDROCK_ACCESS_KEY_ID, "
                        "AWS_ACCESS_KEY_ID), no profile '" +
                            s.profile_name() +
                            "' with credentials in the shared files, no web identity or container credentials, and "
                            "the instance metadata service failed: " +
                            e.what(),
                        e.http_status(), 0, e.code());
        }
    }
    throw Error(HELIX_ERR_CONFIG,
                "no AWS credentials found: set AWS_BEDROCK_ACCESS_KEY_ID and AWS_BEDROCK_SECRET_ACCESS_KEY, a profile "
                "in the shared files, web identity or container credentials (the instance metadata service is "
                "disabled)");
}

struct CredentialChain::SharedFiles {
    std::optional<Profiles> credentials, config, sso_sessions;
};

std::optional<TimedCredentials> CredentialChain::from_profile(bool allow_network, bool &stop) const {
    const Settings &s = settings_;
    SharedFiles files;
    if (const auto path = s.credentials_path())
        if (const auto text = read_local_file(*path, kMaxSharedFileBytes, "shared credentials file"))
            files.credentials = parse_shared_file(*text, SharedFileKind::credentials);
    if (const auto path = s.config_path())
        if (const auto text = read_local_file(*path, kMaxSharedFileBytes, "shared config file")) {
            files.config = parse_shared_file(*text, SharedFileKind::config);
            files.sso_sessions = parse_shared_file(*text, SharedFileKind::sso_sessions);
        }
    std::set<std::string> visited;
    return profile_credentials(files, s.profile_name(), visited, allow_network, stop);
}

std::optional<TimedCredentials> CredentialChain::profile_credentials(const SharedFiles &files, const std::string &name,
                                                                     std::set<std::string> &visited,
                                                                     bool allow_network, bool &stop) const {
    const Settings &s = settings_;
    const bool chosen = visited.empty(); // else a source_profile of another profile
    const std::optional<ProfileValues> profile = merge_profile(files.credentials ? &*files.credentials : nullptr,
                                                               files.config ? &*files.config : nullptr, name);
    if (!profile) {
        if (!chosen)
            throw Error(HELIX_ERR_CONFIG, "the AWS profile '" + *visited.rbegin() + "' names source_profile '" + name +
                                              "', which is in neither the shared credentials file nor the shared "
                                              "config file");
        if (s.profile_explicit())
            throw Error(HELIX_ERR_CONFIG, "the AWS profile '" + name +
                                              "' (settings.profile / AWS_PROFILE) is in neither the shared credentials "
                                              "file nor the shared config file");
        return std::nullopt;
    }
    const auto value = [&](std::string_view key) -> std::string {
        const auto it = profile->find(key);
        return it == profile->end() ? std::string() : it->second;
    };
    const std::string where = "profile '" + name + "' of the shared files";
    const std::string id = value("aws_access_key_id"), secret = value("aws_secret_access_key");
    const auto static_keys = [&]() -> TimedCredentials {
        if (id.empty() || secret.empty())
            throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has only one of aws_access_key_id and "
                                                               "aws_secret_access_key");
        const std::string token = value("aws_session_token");
        if (has_control_character(id) || has_control_character(token))
            throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has a malformed key or session token");
        return TimedCredentials{{id, secret, token}, std::nullopt, where};
    };
    const bool has_keys = !id.empty() || !secret.empty();
    // A source profile's own keys win over its role (the SDKs' rule); the chosen
    // profile's role wins over its keys.
    if (!chosen && has_keys) return static_keys();

    const std::string role_arn = value("role_arn"), source_profile = value("source_profile"),
                      source = value("credential_source");
    if (!role_arn.empty() && (!source_profile.empty() || !source.empty())) {
        if (!source_profile.empty() && !source.empty())
            throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has both source_profile and credential_source; "
                                                               "give one");
        std::optional<TimedCredentials> base;
        if (!source.empty()) {
            if (source != "Environment" && source != "Ec2InstanceMetadata" && source != "EcsContainer")
                throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has credential_source '" + source.substr(0, 64) +
                                                  "'; use Environment, Ec2InstanceMetadata or EcsContainer");
            if (!allow_network && source != "Environment") {
                stop = true;
                return std::nullopt;
            }
            base = credential_source(source, where);
        } else if (source_profile == name) {
            // A profile may assume its role with its own keys.
            if (!has_keys)
                throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " is its own source_profile but has no keys");
            base = static_keys();
        } else {
            if (visited.contains(source_profile) || visited.size() > 16)
                throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " is part of a source_profile cycle through '" +
                                                  source_profile + "'");
            visited.insert(name);
            base = profile_credentials(files, source_profile, visited, allow_network, stop);
            visited.erase(name);
            if (!base) {
                if (stop) return std::nullopt;
                throw Error(HELIX_ERR_CONFIG, "the AWS profile '" + source_profile + "' (source_profile of " + where +
                                                  ") has no credentials");
            }
        }
        if (!allow_network) {
            stop = true;
            return std::nullopt;
        }
        const auto duration = value("duration_seconds");
        std::optional<std::int64_t> seconds;
        if (!duration.empty()) {
            std::int64_t n = 0;
            const auto [end, error] = std::from_chars(duration.data(), duration.data() + duration.size(), n);
            if (error != std::errc{} || end != duration.data() + duration.size() || n < 900 || n > 43200)
                throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has a duration_seconds outside 900..43200");
            seconds = n;
        }
        TimedCredentials c = assume_role(
            s, host_, base->credentials,
            RoleToAssume{role_arn, value("role_session_name"), value("external_id"), seconds, where});
        c.source += ", with credentials from " + base->source;
        return c;
    }
    if (has_keys) return static_keys();

    const std::string token_file = value("web_identity_token_file");
    if (!token_file.empty() && !role_arn.empty()) {
        if (!allow_network) {
            stop = true;
            return std::nullopt;
        }
        const auto path = expand_home(token_file, s.home);
        if (!path) throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " names a token file under ~/ but HOME is unknown");
        TimedCredentials c = web_identity(*path, role_arn, value("role_session_name"));
        c.source = where + " (web identity)";
        return c;
    }
    if (!value("sso_session").empty() || !value("sso_start_url").empty() || !value("sso_account_id").empty()) {
        const SsoProfile sso = sso_profile(*profile, files.sso_sessions ? &*files.sso_sessions : nullptr, where);
        if (!allow_network) {
            stop = true;
            return std::nullopt;
        }
        return sso_credentials(s, host_, sso, where);
    }
    if (const std::string command = value("credential_process"); !command.empty()) {
        if (!allow_network) { // runs a program: not while the instance is created
            stop = true;
            return std::nullopt;
        }
        return process_credentials(host_, command, where);
    }
    if (!value("login_session").empty())
        throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " uses login_session, which this plugin does not support; "
                                                           "use SSO, roles or keys");
    if (!role_arn.empty())
        throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has role_arn without source_profile, credential_source "
                                                           "or web_identity_token_file");
    if (!chosen || s.profile_explicit())
        throw Error(HELIX_ERR_CONFIG, "the AWS " + where +
                                          (chosen ? " (settings.profile / AWS_PROFILE)" : "") + " has no credentials");
    return std::nullopt; // e.g. a [default] that only sets region
}

TimedCredentials CredentialChain::credential_source(const std::string &source, const std::string &where) const {
    const Settings &s = settings_;
    if (source == "Environment") {
        if (s.aws_access_key_id.empty())
            throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has credential_source = Environment, but "
                                                               "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set");
        return TimedCredentials{{s.aws_access_key_id, s.aws_secret_access_key, s.aws_session_token}, std::nullopt,
                                "the environment (AWS_ACCESS_KEY_ID)"};
    }
    if (source == "Ec2InstanceMetadata") return instance_metadata();
    if (source == "EcsContainer") {
        if (s.container_credentials_relative_uri.empty() && s.container_credentials_full_uri.empty())
            throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has credential_source = EcsContainer, but "
                                                               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are "
                                                               "not set");
        return container();
    }
    throw Error(HELIX_ERR_CONFIG, "the AWS " + where + " has credential_source '" + source.substr(0, 64) +
                                      "'; use Environment, Ec2InstanceMetadata or EcsContainer");
}

TimedCredentials CredentialChain::web_identity(const std::string &token_file, const std::string &role_arn,
                                               const std::string &session_name) const {
    const auto text = read_local_file(token_file, kMaxTokenFileBytes, "web identity token file");
    if (!text) throw Error(HELIX_ERR_CONFIG, "the web identity token file '" + token_file + "' does not exist");
    const std::string token(trim(*text));
    if (token.empty()) throw Error(HELIX_ERR_CONFIG, "the web identity token file '" + token_file + "' is empty");
    const std::int64_t now = host_.now_unix_ms();
    const std::string session = session_name.empty() ? "helixagent-" + std::to_string(now) : session_name;

    helix::sdk::HttpRequest request;
    request.method = "POST";
    request.url = settings_.sts_endpoint + "/";
    request.add_header("Content-Type", "application/x-www-form-urlencoded");
    request.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + form_value(role_arn) +
                   "&RoleSessionName=" + form_value(session) + "&WebIdentityToken=" + form_value(token);
    const std::string source = "STS (" + settings_.sts_endpoint + ")";
    const helix::sdk::HttpResponse response = fetch(host_, request, kStsTimeout, source);
    if (response.status != 200) {
        // STS's <Code> (InvalidIdentityToken, AccessDenied, ...) and message are
        // safe to show; the token is redacted in case a message quotes it.
        const std::string code = xml_element_text(response.body, "Code").value_or("").substr(0, 64);
        std::string message = xml_element_text(response.body, "Message").value_or("").substr(0, 200);
        message = helix::plugin_common::redact(std::move(message), token);
        if (code == "IDPCommunicationError" || code == "Throttling")
            throw Error(HELIX_ERR_RETRY, source + " could not complete AssumeRoleWithWebIdentity (" + code + ")", 503);
        source_failed(source + " for AssumeRoleWithWebIdentity", response.status,
                      code + (message.empty() ? "" : (code.empty() ? "" : ": ") + message));
    }
    TimedCredentials c = parse_sts_credentials(response.body, now);
    c.source = "web identity (STS AssumeRoleWithWebIdentity)";
    return c;
}

TimedCredentials CredentialChain::container() const {
    const Settings &s = settings_;
    helix::sdk::HttpRequest request;
    request.method = "GET";
    request.url = s.container_credentials_relative_uri.empty() ? s.container_credentials_full_uri
                                                               : s.ecs_endpoint + s.container_credentials_relative_uri;
    std::string authorization = s.container_authorization_token;
    if (!s.container_authorization_token_file.empty()) {
        const auto text =
            read_local_file(s.container_authorization_token_file, kMaxTokenFileBytes, "container authorization token file");
        if (!text)
            throw Error(HELIX_ERR_CONFIG, "the container authorization token file '" +
                                              s.container_authorization_token_file + "' does not exist");
        authorization = std::string(trim(*text));
    }
    if (has_control_character(authorization))
        throw Error(HELIX_ERR_CONFIG, "the container authorization token contains a line break or control character");
    if (!authorization.empty()) request.add_header("Authorization", authorization);
    request.add_header("Accept", "application/json");
    const std::string source = credentials_source_name(s);
    const helix::sdk::HttpResponse response = fetch(host_, request, kMetadataTimeout, source);
    if (response.status != 200) source_failed(source, response.status);
    TimedCredentials c = parse_json_credentials(response.body, host_.now_unix_ms(), source);
    c.source = "container credentials";
    return c;
}

TimedCredentials CredentialChain::instance_metadata() const {
    const std::string &base = settings_.imds_endpoint;
    const std::string source = "the instance metadata service (" + base + ")";
    for (int attempt = 0;; ++attempt) {
        // 1. A session token (IMDSv2), or IMDSv1 when the service has none.
        std::optional<std::string> token;
        {
            helix::sdk::HttpRequest put;
            put.method = "PUT";
            put.url = base + std::string(kImdsTokenPath);
            put.add_header("x-aws-ec2-metadata-token-ttl-seconds", "21600");
            const helix::sdk::HttpResponse r = fetch(host_, put, kMetadataTimeout, source);
            if (r.status == 200) {
                token = std::string(trim(r.body));
                if (token->empty() || has_control_character(*token))
                    throw Error(HELIX_ERR_AUTH, source + " answered with an unusable session token", 502, 0,
                                "upstream_auth_failed");
            } else if (r.status != 403 && r.status != 404 && r.status != 405) {
                source_failed(source + " for a session token", r.status);
            }
        }
        const auto get = [&](const std::string &path) {
            helix::sdk::HttpRequest request;
            request.method = "GET";
            request.url = base + path;
            if (token) request.add_header("x-aws-ec2-metadata-token", *token);
            return fetch(host_, request, kMetadataTimeout, source);
        };
        // 2. The role name: the extended path first, the classic one on 404.
        std::string prefix(kImdsExtendedPath);
        helix::sdk::HttpResponse role = get(prefix);
        if (role.status == 404) {
            prefix = std::string(kImdsLegacyPath);
            role = get(prefix);
        }
        if (role.status == 401 && token && attempt == 0) continue; // the token expired meanwhile
        if (role.status == 404) throw Error(HELIX_ERR_AUTH, source + " says this instance has no IAM role", 502, 0,
                                            "upstream_auth_failed");
        if (role.status != 200) source_failed(source + " for the IAM role", role.status);
        const std::string_view body = role.body;
        const std::string name(trim(body.substr(0, body.find('\n'))));
        if (name.empty()) throw Error(HELIX_ERR_AUTH, source + " named no IAM role", 502, 0, "upstream_auth_failed");
        // 3. The role's credentials.
        const helix::sdk::HttpResponse creds = get(prefix + helix::aws::uri_encode(name, false));
        if (creds.status == 401 && token && attempt == 0) continue;
        if (creds.status != 200) source_failed(source + " for the role's credentials", creds.status);
        TimedCredentials c = parse_json_credentials(creds.body, host_.now_unix_ms(), source);
        c.source = std::string("instance metadata (") + (token ? "IMDSv2" : "IMDSv1") + ")";
        return c;
    }
}

} // namespace helix::aws_bedrock
