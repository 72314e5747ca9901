#include "plugins/common/forwarded_fields.hpp"

#include <algorithm>

namespace helix::plugin_common {

namespace {

[[noreturn]] void bad_setting(const std::string &message) {
    throw helix::sdk::Error(HELIX_ERR_CONFIG, "settings.extra_fields: " + message);
}

bool listed(const std::vector<std::string> &names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

const std::vector<std::string> &default_forwarded_fields() {
    // Left out on purpose: store and metadata (the provider keeps the
    // conversation), service_tier (billing), audio, modalities and prediction
    // (other, dearer outputs), web_search_options (the provider fetches from
    // the web).
    static const std::vector<std::string> fields{
        "messages",          "model",       "stream",           "stream_options",  "max_tokens",
        "max_completion_tokens", "temperature", "top_p",         "n",               "stop",
        "presence_penalty",  "frequency_penalty", "logit_bias",  "logprobs",        "top_logprobs",
        "response_format",   "seed",        "tools",            "tool_choice",     "parallel_tool_calls",
        "functions",         "function_call", "user",           "reasoning_effort"};
    return fields;
}

ForwardedFields read_forwarded_fields(const SettingsReader &settings, bool data_sources_setting) {
    ForwardedFields policy;
    if (const auto *list = settings.object().if_contains("extra_fields"); list != nullptr && !list->is_null()) {
        if (!list->is_array()) bad_setting("expected a list of field names");
        for (const auto &item : list->get_array()) {
            if (!item.is_string() || item.get_string().empty()) bad_setting("expected a list of field names");
            policy.extra.emplace_back(item.get_string());
        }
        if (listed(policy.extra, "data_sources"))
            bad_setting("data_sources is allowed with allow_data_sources: true, not listed here");
    }
    if (data_sources_setting)
        if (const auto *allow = settings.object().if_contains("allow_data_sources"); allow != nullptr && !allow->is_null()) {
            if (!allow->is_bool())
                throw helix::sdk::Error(HELIX_ERR_CONFIG, "settings.allow_data_sources: expected true or false");
            policy.allow_data_sources = allow->get_bool();
        }
    return policy;
}

void keep_forwarded_fields(boost::json::object &body, const ForwardedFields &policy) {
    if (body.contains("data_sources") && !policy.allow_data_sources)
        throw helix::sdk::Error(HELIX_ERR_INVALID_REQUEST,
                                "data_sources is not accepted by this gateway (the provider's settings do not set "
                                "allow_data_sources)",
                                400, 0, "unsupported_parameter", "data_sources");
    boost::json::value data_sources;
    if (auto *d = body.if_contains("data_sources")) data_sources = std::move(*d); // allowed: kept aside
    keep_listed_fields(body, default_forwarded_fields(), policy);
    if (!data_sources.is_null()) body["data_sources"] = std::move(data_sources);
}

void keep_listed_fields(boost::json::object &body, const std::vector<std::string> &names,
                        const ForwardedFields &policy) {
    for (auto it = body.begin(); it != body.end();) {
        const std::string_view name = it->key();
        if (listed(names, name) || listed(policy.extra, name))
            ++it;
        else
            it = body.erase(it);
    }
}

void drop_cache_control(boost::json::object &body) {
    const auto each_object = [](boost::json::value *list, auto &&f) {
        if (list == nullptr || !list->is_array()) return;
        for (auto &item : list->get_array())
            if (auto *o = item.if_object()) f(*o);
    };
    each_object(body.if_contains("messages"), [&](boost::json::object &m) {
        m.erase("cache_control");
        each_object(m.if_contains("content"), [](boost::json::object &part) { part.erase("cache_control"); });
    });
    each_object(body.if_contains("tools"), [](boost::json::object &t) { t.erase("cache_control"); });
}

} // namespace helix::plugin_common
