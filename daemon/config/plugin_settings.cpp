#include "daemon/config/plugin_settings.hpp"

#include "daemon/config/duration.hpp"
#include "daemon/config/settings_json.hpp"
#include "daemon/config/syntax.hpp"

#include <boost/json/serialize.hpp>

#include <optional>
#include <string_view>

namespace helix::config {
namespace {

// What a value of `type` must look like, for messages.
std::string expected_of(SettingType type) {
    switch (type) {
    case SettingType::String: return "a string";
    case SettingType::Integer: return "an integer";
    case SettingType::Number: return "a number";
    case SettingType::Boolean: return "true or false";
    case SettingType::Duration: return "a duration such as 60s or 1m30s";
    case SettingType::List: return "a list";
    case SettingType::Map: return "a map";
    }
    return "a value";
}

std::string known_keys(const PluginSchema &schema) {
    std::string keys;
    for (const SettingSpec &s : schema.settings) {
        if (s.host_option) continue;
        keys += (keys.empty() ? "" : ", ") + s.name;
    }
    return keys.empty() ? "no keys" : keys;
}

// One top-level value checked against its row. Reports a value of the wrong
// type (never showing a secret) and returns nullopt for it.
std::optional<boost::json::value> typed_value(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value,
                                              const std::string &path, const SettingSpec &spec) {
    const bool secret = spec.secret || is_secret_name(spec.name);
    if (value.IsNull()) return boost::json::value{}; // as good as absent
    const auto wrong = [&](const std::string &got) {
        ctx.report(LoadContext::value_line(key, value), path + ": expected " + expected_of(spec.type) + ", got " + got);
        return std::nullopt;
    };
    if (spec.type == SettingType::List || spec.type == SettingType::Map) {
        const bool fits = spec.type == SettingType::List ? value.IsSequence() : value.IsMap();
        if (!fits) return wrong(std::string{LoadContext::kind_of(value)});
        return settings_value_to_json(ctx, key, value, path, secret);
    }
    if (!value.IsScalar()) return wrong(std::string{LoadContext::kind_of(value)});
    const auto scalar = ctx.scalar(key, value, path, secret);
    if (!scalar) return std::nullopt; // already reported (a bad ${...})
    // A typed key reads a quoted scalar as if it were plain ("true", "1800"
    // and ${VAR} mean what they say), so a file that quotes them still loads.
    Scalar unquoted = *scalar;
    unquoted.plain = true;
    boost::json::value typed = typed_scalar(spec.type == SettingType::String ? *scalar : unquoted);
    switch (spec.type) {
    case SettingType::String:
        // Whatever the YAML looks like, a string key gets the text as written
        // (project: 0042 and account: 123456789012 stay what they say).
        if (typed.is_null()) return typed;
        return boost::json::value(scalar->text);
    case SettingType::Integer:
        if (typed.is_int64() || typed.is_uint64() || typed.is_null()) return typed;
        return wrong(scalar->shown());
    case SettingType::Number:
        if (typed.is_number() || typed.is_null()) return typed;
        return wrong(scalar->shown());
    case SettingType::Boolean:
        if (typed.is_bool() || typed.is_null()) return typed;
        return wrong(scalar->shown());
    case SettingType::Duration:
        if (const auto d = parse_duration(scalar->text); d) return boost::json::value(scalar->text);
        return wrong(scalar->shown());
    case SettingType::List:
    case SettingType::Map: break;
    }
    return typed;
}

std::optional<std::string> first_set(const Environment &env, const SettingSpec &spec, std::string &variable) {
    for (const std::string &name : spec.env) {
        const auto found = env.find(name);
        if (found != env.end() && !found->second.empty()) {
            variable = name;
            return found->second;
        }
    }
    return std::nullopt;
}

bool missing(const boost::json::object &settings, const std::string &name) {
    const auto *value = settings.if_contains(name);
    return value == nullptr || value->is_null() || (value->is_string() && value->get_string().empty());
}

} // namespace

const char *setting_type_name(SettingType type) noexcept {
    switch (type) {
    case SettingType::String: return "string";
    case SettingType::Integer: return "integer";
    case SettingType::Number: return "number";
    case SettingType::Boolean: return "boolean";
    case SettingType::Duration: return "duration";
    case SettingType::List: return "list";
    case SettingType::Map: return "map";
    }
    return "unknown";
}

void read_settings_by_schema(LoadContext &ctx, const YAML::Node &key, const YAML::Node &value,
                             const std::string &section, int line, const PluginSchema &schema,
                             ProviderConfig &provider) {
    const std::string path = section + ".settings";
    boost::json::object settings;
    if (value.IsDefined() && !value.IsNull() && !value.IsMap()) {
        ctx.report(LoadContext::value_line(key, value),
                   path + ": expected a map, got " + std::string{LoadContext::kind_of(value)});
    } else if (value.IsDefined()) {
        ctx.for_each_free_entry(key, value, path, [&](const std::string &name, const YAML::Node &k, const YAML::Node &v) {
            const SettingSpec *spec = schema.find(name);
            if (spec == nullptr || spec->host_option) {
                ctx.report(LoadContext::line_of(k), path + ": unknown key '" + name + "' for provider '" +
                                                        provider.name + "' (plugin " + schema.plugin +
                                                        " accepts: " + known_keys(schema) + ")");
                return;
            }
            if (auto json = typed_value(ctx, k, v, path + "." + name, *spec)) settings[name] = std::move(*json);
        });
    }

    // The table's variables, over the file, for the instance they name.
    for (const SettingSpec &spec : schema.settings) {
        if (spec.env_provider != provider.name) continue;
        std::string variable;
        const auto text = first_set(ctx.env(), spec, variable);
        if (!text) continue;
        if (!spec.host_option) {
            settings[spec.name] = *text; // as a string, as the ABI says
        } else if (spec.name == "timeout") {
            const auto timeout = parse_duration(*text);
            if (!timeout || timeout->count() == 0)
                ctx.report_environment(variable + ": expected a positive duration such as 60s or 1m30s (value not shown)");
            else
                provider.timeout = *timeout;
        }
    }

    for (const SettingSpec &spec : schema.settings) {
        if (!spec.required || spec.host_option || spec.default_value || !missing(settings, spec.name)) continue;
        std::string reason = path + "." + spec.name + " is required by plugin " + schema.plugin;
        if (spec.env_provider == provider.name && !spec.env.empty()) reason += " (or set " + spec.env.front() + ")";
        if (provider.optional) {
            if (provider.unusable.empty()) provider.unusable = reason;
        } else {
            ctx.report(line, reason);
        }
    }
    provider.settings_json = serialize_secret(settings);
}

} // namespace helix::config
