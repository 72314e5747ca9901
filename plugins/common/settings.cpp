#include "plugins/common/settings.hpp"

#include "plugins/common/json_access.hpp"

#include <boost/json/parse.hpp>

namespace helix::plugin_common {

namespace {

[[noreturn]] void config_error(std::string message) { throw helix::sdk::Error(HELIX_ERR_CONFIG, std::move(message)); }

std::string key_name(std::string_view key) { return "settings." + std::string(key); }

std::uint32_t capability_bit(std::string_view name, const std::string &where) {
    if (name == "streaming") return HELIX_MODEL_STREAMING;
    if (name == "tools") return HELIX_MODEL_TOOLS;
    if (name == "vision") return HELIX_MODEL_VISION;
    if (name == "n" || name == "multiple_choices") return HELIX_MODEL_MULTIPLE_CHOICES;
    if (name == "embeddings") return HELIX_MODEL_EMBEDDINGS;
    if (name == "completions") return HELIX_MODEL_COMPLETIONS;
    if (name == "documents") return HELIX_MODEL_DOCUMENTS;
    config_error(where + ": unknown capability (expected streaming, tools, vision, documents, n, embeddings or completions)");
}

} // namespace

SettingsReader::SettingsReader(std::string_view json) {
    if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(json, ec);
    if (ec || !v.is_object()) config_error("settings must be a JSON object (a map in the YAML)");
    object_ = std::move(v.as_object());
}

void SettingsReader::reject_unknown(std::initializer_list<std::string_view> known) const {
    for (const auto &member : object_) {
        bool found = false;
        for (const std::string_view k : known) found = found || member.key() == k;
        if (found) continue;
        std::string list;
        for (const std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        config_error(key_name(member.key()) + " is not a setting of this provider (known: " + list + ")");
    }
}

std::optional<std::string> SettingsReader::string(std::string_view key) const {
    const boost::json::value *v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) config_error(key_name(key) + " must be a string");
    return std::string(v->get_string());
}

std::optional<std::string> SettingsReader::non_empty_string(std::string_view key) const {
    auto s = string(key);
    if (s && s->empty()) config_error(key_name(key) + " must not be empty");
    return s;
}

std::optional<std::string> SettingsReader::header_value(std::string_view key) const {
    auto s = string(key);
    if (s) {
        for (const char c : *s) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u == 0x7f) config_error(key_name(key) + " contains a control character (e.g. a line break)");
        }
    }
    return s;
}

std::optional<std::int64_t> SettingsReader::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const boost::json::value *v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    const auto i = json::int_member(object_, key);
    if (!i) config_error(key_name(key) + " must be an integer");
    if (*i < min || *i > max)
        config_error(key_name(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return i;
}

std::optional<std::string> SettingsReader::base_url(std::string_view key) const {
    auto url = non_empty_string(key);
    if (!url) return url;
    if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0)
        config_error(key_name(key) + " must be an http:// or https:// URL");
    while (!url->empty() && url->back() == '/') url->pop_back();
    const std::size_t host = url->find("://") + 3;
    if (url->size() <= host) config_error(key_name(key) + " has no host");
    if (url->find_first_of("?#", host) != std::string::npos)
        config_error(key_name(key) + " must not have a query or fragment");
    return url;
}

std::vector<helix::sdk::Model> read_models(const SettingsReader &settings, std::string_view key,
                                           const std::vector<KnownModel> &known,
                                           std::uint32_t fallback_capabilities) {
    std::vector<helix::sdk::Model> out;
    const boost::json::value *v = settings.object().if_contains(key);
    if (v == nullptr || v->is_null()) {
        for (const KnownModel &k : known)
            if (k.listed_by_default)
                out.push_back({std::string(k.id), std::string(k.id), k.capabilities, k.context_window, k.max_embedding_inputs});
        return out;
    }
    const std::string where = key_name(key);
    if (!v->is_array()) config_error(where + " must be a list of model ids or {id, ...} maps");
    std::size_t index = 0;
    for (const boost::json::value &item : v->get_array()) {
        const std::string at = where + "[" + std::to_string(index++) + "]";
        helix::sdk::Model model;
        model.capabilities = fallback_capabilities;
        std::string_view id;
        if (item.is_string()) {
            id = item.get_string();
        } else if (const auto *o = item.if_object()) {
            for (const auto &m : *o)
                if (m.key() != "id" && m.key() != "upstream_id" && m.key() != "context_window" &&
                    m.key() != "capabilities" && m.key() != "max_embedding_inputs")
                    config_error(at + "." + std::string(m.key()) +
                                 " is not a model setting (known: id, upstream_id, context_window, capabilities, "
                                 "max_embedding_inputs)");
            const auto sid = json::string_member(*o, "id");
            if (!sid) config_error(at + ".id is required (a string)");
            id = *sid;
        } else {
            config_error(at + " must be a model id or an {id, ...} map");
        }
        if (id.empty()) config_error(at + ": the model id must not be empty");
        model.id = std::string(id);
        model.upstream_id = model.id;
        for (const KnownModel &k : known) {
            if (k.id == id) {
                model.capabilities = k.capabilities;
                model.context_window = k.context_window;
                model.max_embedding_inputs = k.max_embedding_inputs;
            }
        }
        if (const auto *o = item.if_object()) {
            if (const auto *u = o->if_contains("upstream_id")) {
                if (!u->is_string() || u->get_string().empty())
                    config_error(at + ".upstream_id must be a non-empty string");
                model.upstream_id = std::string(u->get_string());
            }
            if (o->contains("context_window")) {
                const auto cw = json::int_member(*o, "context_window");
                if (!cw || *cw < 0) config_error(at + ".context_window must be a non-negative integer");
                model.context_window = *cw;
            }
            if (o->contains("max_embedding_inputs")) {
                const auto n = json::int_member(*o, "max_embedding_inputs");
                if (!n || *n < 1 || *n > 2048)
                    config_error(at + ".max_embedding_inputs must be an integer from 1 to 2048");
                model.max_embedding_inputs = static_cast<std::uint32_t>(*n);
            }
            if (const auto *caps = o->if_contains("capabilities")) {
                if (!caps->is_array()) config_error(at + ".capabilities must be a list");
                model.capabilities = 0;
                for (const auto &c : caps->get_array()) {
                    if (!c.is_string()) config_error(at + ".capabilities must be a list of names");
                    model.capabilities |= capability_bit(c.get_string(), at + ".capabilities");
                }
            }
        }
        for (const auto &existing : out)
            if (existing.id == model.id) config_error(at + ": model id listed twice");
        out.push_back(std::move(model));
    }
    if (out.empty()) config_error(where + " must not be empty (leave it out for the default list)");
    return out;
}

void require_https_for_credentials(std::string_view url, std::string_view key) {
    if (url.starts_with("http://") && !is_loopback_url(url))
        config_error("settings." + std::string(key) +
                     " is http:// to a host that is not loopback; the provider's credential would cross the network "
                     "in clear text (use https://)");
}

bool is_loopback_url(std::string_view url) noexcept {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return false;
    std::string_view rest = url.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    std::string_view host;
    if (!rest.empty() && rest.front() == '[') {
        host = rest.substr(1, rest.find(']') == std::string_view::npos ? 0 : rest.find(']') - 1);
    } else {
        host = rest.substr(0, rest.find(':'));
    }
    const bool dotted_digits = host.find_first_not_of("0123456789.") == std::string_view::npos;
    return host == "localhost" || host == "::1" || (host.rfind("127.", 0) == 0 && dotted_digits);
}

} // namespace helix::plugin_common
