#include "daemon/config/config_loader.hpp"

#include "daemon/config/byte_size.hpp"
#include "daemon/config/duration.hpp"
#include "daemon/config/env_overrides.hpp"
#include "daemon/config/load_context.hpp"
#include "daemon/config/settings_json.hpp"
#include "daemon/config/syntax.hpp"

#include <boost/json/serialize.hpp>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

namespace helix::config {
namespace {

namespace fs = std::filesystem;

// Below PTHREAD_STACK_MIN thread creation fails at run time; fail at load instead.
constexpr std::uint64_t kMinThreadStack = 16 * 1024;

// Counts a file's documents up to the second and finds the line of its
// root. yaml-cpp 0.7's LoadAll never returns, allocating without bound, on
// some malformed files such as ", a:" (jbeder/yaml-cpp#1040, fixed upstream
// by #1319): its parser reports the same empty document again and again. So
// the loader reads the first document with Load and asks this handler only
// whether a second one follows.
class SecondDocument final : public YAML::EventHandler {
public:
    int documents = 0;
    int line = 0; // of the second document's root node, 1-based; 0 if unknown

    void OnDocumentStart(const YAML::Mark &) override { ++documents; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t, const std::string &) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark &mark) {
        if (documents == 2 && !root_seen_) {
            root_seen_ = true;
            line = mark.line >= 0 ? mark.line + 1 : 0;
        }
    }
    bool root_seen_ = false;
};

struct Entry {
    YAML::Node key;
    YAML::Node value;
};
using Entries = std::map<std::string, Entry>;

// One name in providers.primary / providers.fallback.
struct ListedProvider {
    std::string name;
    std::string shown; // for messages: quoted, or hidden if it came from the environment
    int line = 0;
};

class Loader {
public:
    Loader(const std::string &source, fs::path base_dir, const Environment &env)
        : ctx_(source, env), base_dir_(std::move(base_dir)) {
        config_.source_file = source;
        config_.plugin_dir = std::string{kDefaultPluginDir};
    }

    ConfigPtr load(std::string_view yaml) {
        const std::string text{yaml};
        SecondDocument counted;
        YAML::Node root;
        try {
            std::istringstream in(text);
            YAML::Parser parser(in);
            while (counted.documents < 2 && parser.HandleNextDocument(counted)) {
            }
            if (counted.documents > 0) root = YAML::Load(text);
        } catch (const YAML::Exception &error) {
            // yaml-cpp's messages describe the grammar, not the text, so they carry no secret.
            const int line = error.mark.line >= 0 ? error.mark.line + 1 : 0;
            throw ConfigError({ConfigIssue{ctx_.file(), line, "YAML syntax error: " + error.msg}});
        }
        if (counted.documents > 1) ctx_.report(counted.line, "only one YAML document is allowed per file");
        if (counted.documents > 0) read_root(root);
        apply_env_overrides(config_, ctx_.env(), ctx_);

        std::vector<ConfigIssue> issues = ctx_.take_issues();
        if (!issues.empty()) {
            // File order first, then the environment's (line 0) problems.
            std::stable_sort(issues.begin(), issues.end(), [](const ConfigIssue &a, const ConfigIssue &b) {
                return (a.line > 0 ? a.line : INT_MAX) < (b.line > 0 ? b.line : INT_MAX);
            });
            throw ConfigError(std::move(issues));
        }
        return std::make_shared<const Config>(std::move(config_));
    }

private:
    // Sections are read in dependency order (plugin_dir before plugins before
    // providers), whatever their order in the file.
    void read_root(const YAML::Node &root) {
        if (!root.IsNull() && !root.IsMap()) {
            ctx_.report(LoadContext::line_of(root, 1),
                        "the file must be a map of sections, got " + std::string{LoadContext::kind_of(root)});
            return;
        }
        const Entries sections =
            collect(root, root, "", {"server", "upstream", "router", "log", "metrics", "api_keys", "plugin_dir", "plugins",
                     "providers", "aliases", "prices", "scores_file"});
        if (const auto *s = find(sections, "server")) {
            read_server(*s);
        }
        if (const auto *s = find(sections, "upstream")) {
            read_upstream(*s);
        }
        if (const auto *s = find(sections, "router")) {
            read_router(*s);
        }
        if (const auto *s = find(sections, "log")) {
            read_log(*s);
        }
        if (const auto *s = find(sections, "metrics")) {
            read_metrics(*s);
        }
        if (const auto *s = find(sections, "plugin_dir")) {
            read_plugin_dir(*s);
        }
        if (const auto *s = find(sections, "plugins")) {
            read_plugins(*s);
        }
        if (const auto *s = find(sections, "api_keys")) { // after plugins: a key's scope names providers
            read_api_keys(*s);
        }
        if (const auto *s = find(sections, "providers")) {
            read_providers(*s);
        }
        if (const auto *s = find(sections, "aliases")) {
            read_aliases(*s);
        }
        if (const auto *s = find(sections, "prices")) {
            read_prices(*s);
        }
        if (const auto *s = find(sections, "scores_file")) {
            read_scores_file(*s);
        }
    }

    Entries collect(const YAML::Node &key, const YAML::Node &map, const std::string &section,
                    std::initializer_list<std::string_view> allowed) {
        Entries entries;
        ctx_.for_each_entry(key, map, section, allowed,
                            [&](const std::string &name, const YAML::Node &key_node, const YAML::Node &value) {
                                entries.emplace(name, Entry{key_node, value});
                            });
        return entries;
    }

    static const Entry *find(const Entries &entries, const std::string &name) {
        const auto found = entries.find(name);
        return found == entries.end() ? nullptr : &found->second;
    }

    static std::string join(const std::string &section, const std::string &key) {
        return section.empty() ? key : section + "." + key;
    }

    // --- typed values -------------------------------------------------------

    std::optional<Scalar> scalar(const Entry &entry, const std::string &path, const std::string &key) {
        return ctx_.scalar(entry.key, entry.value, path, is_secret_name(key));
    }

    void bad_value(const Scalar &value, const std::string &path, const std::string &expected) {
        ctx_.report(value.line, path + ": expected " + expected + ", got " + value.shown());
    }

    void read_count(const Entries &entries, const std::string &section, const std::string &key, std::size_t &out,
                    std::uint64_t min) {
        const Entry *entry = find(entries, key);
        const std::string path = join(section, key);
        if (entry == nullptr) {
            return;
        }
        if (const auto value = scalar(*entry, path, key)) {
            const auto parsed = parse_unsigned(value->text);
            if (!parsed || *parsed < min) {
                bad_value(*value, path, "a whole number >= " + std::to_string(min));
                return;
            }
            out = *parsed;
        }
    }

    void read_bytes(const Entries &entries, const std::string &section, const std::string &key, std::size_t &out,
                    std::uint64_t min) {
        const Entry *entry = find(entries, key);
        const std::string path = join(section, key);
        if (entry == nullptr) {
            return;
        }
        if (const auto value = scalar(*entry, path, key)) {
            const auto parsed = parse_byte_size(value->text);
            if (!parsed || *parsed < min) {
                bad_value(*value, path,
                          "a size of at least " + std::to_string(min) + " bytes such as 512KiB, 4MiB or 1048576");
                return;
            }
            out = *parsed;
        }
    }

    void read_duration(const Entries &entries, const std::string &section, const std::string &key,
                       std::chrono::milliseconds &out, bool allow_zero) {
        const Entry *entry = find(entries, key);
        const std::string path = join(section, key);
        if (entry == nullptr) {
            return;
        }
        if (const auto value = scalar(*entry, path, key)) {
            const auto parsed = parse_duration(value->text);
            if (!parsed || (!allow_zero && parsed->count() == 0)) {
                bad_value(*value, path,
                          std::string{allow_zero ? "a duration" : "a positive duration"} +
                              " such as 500ms, 30s, 2m or 1m30s");
                return;
            }
            out = *parsed;
        }
    }

    void read_choice(const Entries &entries, const std::string &section, const std::string &key, std::string &out,
                     std::initializer_list<std::string_view> choices) {
        const Entry *entry = find(entries, key);
        const std::string path = join(section, key);
        if (entry == nullptr) {
            return;
        }
        if (const auto value = scalar(*entry, path, key)) {
            if (std::find(choices.begin(), choices.end(), value->text) == choices.end()) {
                std::string list;
                for (const std::string_view choice : choices) {
                    list += (list.empty() ? "" : ", ") + std::string{choice};
                }
                bad_value(*value, path, "one of " + list);
                return;
            }
            out = value->text;
        }
    }

    // true/false only: "yes"/"on" are YAML 1.1 habits that silently mean
    // strings elsewhere, so they are rejected rather than guessed.
    std::optional<bool> read_bool(const Entry &entry, const std::string &path, const std::string &key) {
        const auto value = scalar(entry, path, key);
        if (!value) {
            return std::nullopt;
        }
        if (value->text == "true" || value->text == "True" || value->text == "TRUE") {
            return true;
        }
        if (value->text == "false" || value->text == "False" || value->text == "FALSE") {
            return false;
        }
        bad_value(*value, path, "true or false");
        return std::nullopt;
    }

    // --- sections -----------------------------------------------------------

    void read_server(const Entry &section) {
        const Entries e = collect(section.key, section.value, "server",
                                  {"listen", "port", "max_connections", "max_queued_connections", "thread_stack",
                                   "max_body", "max_header", "read_timeout", "write_timeout", "keep_alive_timeout",
                                   "drain_timeout", "max_in_flight", "request_read_timeout", "auth_failure_limit",
                                   "auth_failure_block", "max_reply"});
        ServerSettings &server = config_.server;
        if (const Entry *entry = find(e, "listen")) {
            if (const auto value = scalar(*entry, "server.listen", "listen")) {
                if (is_listen_address(value->text)) {
                    server.listen_address = value->text;
                } else {
                    bad_value(*value, "server.listen", "an IPv4/IPv6 address or a host name");
                }
            }
        }
        if (const Entry *entry = find(e, "port")) {
            if (const auto value = scalar(*entry, "server.port", "port")) {
                if (const auto port = parse_port(value->text)) {
                    server.port = *port;
                } else {
                    bad_value(*value, "server.port", "a port number 0..65535");
                }
            }
        }
        read_count(e, "server", "max_connections", server.max_connections, 1);
        read_count(e, "server", "max_queued_connections", server.max_queued_connections, 0);
        read_bytes(e, "server", "thread_stack", server.thread_stack_bytes, kMinThreadStack);
        read_bytes(e, "server", "max_body", server.max_body_bytes, 1);
        read_bytes(e, "server", "max_header", server.max_header_bytes, 1);
        read_bytes(e, "server", "max_reply", server.max_reply_bytes, 1);
        read_duration(e, "server", "read_timeout", server.read_timeout, false);
        read_duration(e, "server", "write_timeout", server.write_timeout, false);
        read_duration(e, "server", "keep_alive_timeout", server.keep_alive_timeout, false);
        read_duration(e, "server", "drain_timeout", server.drain_timeout, true); // 0: stop at once
        read_duration(e, "server", "request_read_timeout", server.request_read_timeout, false);
        read_count(e, "server", "auth_failure_limit", server.auth_failure_limit, 0);
        read_duration(e, "server", "auth_failure_block", server.auth_failure_block, false);
        if (const Entry *entry = find(e, "max_in_flight")) {
            read_count(e, "server", "max_in_flight", server.max_in_flight, 1);
            if (server.max_in_flight >= server.max_connections)
                ctx_.report(LoadContext::line_of(entry->value),
                            "server.max_in_flight (" + std::to_string(server.max_in_flight) +
                                ") must be below server.max_connections (" + std::to_string(server.max_connections) +
                                "), so that a connection is left to refuse requests beyond it");
        } else if (server.max_in_flight >= server.max_connections) { // the default, under a smaller max_connections
            server.max_in_flight = std::max<std::size_t>(server.max_connections - 1, 1);
        }
    }

    void read_upstream(const Entry &section) {
        const Entries e =
            collect(section.key, section.value, "upstream", {"verify_tls", "ca_file", "max_idle_connections", "idle_timeout"});
        auto &upstream = config_.upstream;
        if (const Entry *entry = find(e, "verify_tls"))
            if (const auto verify = read_bool(*entry, "upstream.verify_tls", "verify_tls")) upstream.verify_tls = *verify;
        if (const Entry *entry = find(e, "ca_file"))
            if (const auto value = scalar(*entry, "upstream.ca_file", "ca_file")) {
                const auto path = (base_dir_ / value->text).lexically_normal();
                if (value->text.empty() || !std::filesystem::is_regular_file(path))
                    ctx_.report(value->line, "upstream.ca_file: no such file '" + path.string() + "'");
                else
                    upstream.ca_file = path.string();
            }
        read_count(e, "upstream", "max_idle_connections", upstream.max_idle_connections, 0);
        read_duration(e, "upstream", "idle_timeout", upstream.idle_timeout, true);
    }

    // A number no smaller than `min`; reported and nullopt otherwise.
    std::optional<double> read_number(const Entry &entry, const std::string &path, const std::string &key, double min) {
        const auto value = scalar(entry, path, key);
        if (!value) return std::nullopt;
        try {
            std::size_t used = 0;
            const double d = std::stod(value->text, &used);
            if (used == value->text.size() && std::isfinite(d) && d >= min) return d;
        } catch (const std::exception &) {
        }
        bad_value(*value, path, "a number of at least " + std::to_string(min).substr(0, 4));
        return std::nullopt;
    }

    // prices: {"provider/model": {input: USD per 1K tokens, output: USD per 1K tokens}}
    void read_prices(const Entry &section) {
        ctx_.for_each_free_entry(section.key, section.value, "prices",
                                 [&](const std::string &target, const YAML::Node &key_node, const YAML::Node &value) {
            const std::string path = "prices." + target;
            if (target.find('/') == std::string::npos) {
                ctx_.report(LoadContext::line_of(key_node), path + ": prices are per provider/model");
                return;
            }
            const Entries e = collect(key_node, value, path, {"input", "output"});
            Price price;
            if (const Entry *entry = find(e, "input"))
                if (const auto v = read_number(*entry, path + ".input", "input", 0.0)) price.input = *v;
            if (const Entry *entry = find(e, "output"))
                if (const auto v = read_number(*entry, path + ".output", "output", 0.0)) price.output = *v;
            config_.prices[target] = price;
        });
    }

    // scores_file: a YAML map "provider/model": score (LLMsVerifier-style
    // verifier scores, higher is better), read with the configuration.
    void read_scores_file(const Entry &entry) {
        const auto value = scalar(entry, "scores_file", "scores_file");
        if (!value || value->text.empty()) return;
        const std::string path = (base_dir_ / value->text).lexically_normal().string();
        config_.scores_file = path;
        YAML::Node scores;
        try {
            scores = YAML::LoadFile(path);
        } catch (const YAML::BadFile &) {
            ctx_.report(value->line, "scores_file: cannot read '" + path + "'");
            return;
        } catch (const YAML::Exception &e) {
            ctx_.report(value->line, "scores_file: '" + path + "':" + std::to_string(e.mark.line + 1) + ": " + e.msg);
            return;
        }
        if (scores.IsNull()) return;
        if (!scores.IsMap()) {
            ctx_.report(value->line, "scores_file: '" + path + "' must be a map of provider/model: score");
            return;
        }
        for (const auto &item : scores) {
            const std::string target = item.first.as<std::string>("");
            double score = 0;
            bool ok = item.second.IsScalar() && target.find('/') != std::string::npos;
            if (ok) {
                try {
                    score = item.second.as<double>();
                    ok = std::isfinite(score);
                } catch (const YAML::Exception &) {
                    ok = false;
                }
            }
            if (!ok) {
                ctx_.report(value->line, "scores_file: '" + path + "':" + std::to_string(item.first.Mark().line + 1) +
                                             ": expected provider/model: number");
                continue;
            }
            config_.scores[target] = score;
        }
    }

    void read_router(const Entry &section) {
        const Entries e = collect(section.key, section.value, "router",
                                  {"max_attempts", "max_retry_wait", "deadline", "explicit_fallback", "cost_tolerance",
                                   "circuit_failures", "circuit_cooldown", "circuit_failure_rate", "circuit_window"});
        auto &router = config_.router;
        read_count(e, "router", "max_attempts", router.max_attempts, 1);
        read_count(e, "router", "circuit_failures", router.circuit_failures, 1);
        read_duration(e, "router", "circuit_cooldown", router.circuit_cooldown, false);
        if (const Entry *entry = find(e, "circuit_failure_rate"))
            if (const auto v = read_number(*entry, "router.circuit_failure_rate", "circuit_failure_rate", 0.0)) {
                if (*v > 1.0)
                    ctx_.report(LoadContext::line_of(entry->value), "router.circuit_failure_rate: must be 0..1");
                else
                    router.circuit_failure_rate = *v;
            }
        read_count(e, "router", "circuit_window", router.circuit_window, 1);
        if (router.circuit_window > 64)
            if (const Entry *entry = find(e, "circuit_window"))
                ctx_.report(LoadContext::line_of(entry->value), "router.circuit_window: at most 64 calls");
        if (const Entry *entry = find(e, "cost_tolerance"))
            if (const auto v = read_number(*entry, "router.cost_tolerance", "cost_tolerance", 0.0))
                router.cost_tolerance = *v;
        read_duration(e, "router", "max_retry_wait", router.max_retry_wait, true);
        read_duration(e, "router", "deadline", router.deadline, false);
        if (const Entry *entry = find(e, "explicit_fallback"))
            if (const auto v = read_bool(*entry, "router.explicit_fallback", "explicit_fallback"))
                router.explicit_fallback = *v;
    }

    void read_log(const Entry &section) {
        const Entries e = collect(section.key, section.value, "log", {"level", "format", "access", "access_content"});
        read_choice(e, "log", "level", config_.log.level,
                    {"trace", "debug", "information", "notice", "warning", "error", "critical", "fatal"});
        read_choice(e, "log", "format", config_.log.format, {"text", "json"});
        if (const Entry *entry = find(e, "access"))
            if (const auto value = scalar(*entry, "log.access", "access")) read_access_target(*value);
        if (const Entry *entry = find(e, "access_content"))
            if (const auto v = read_bool(*entry, "log.access_content", "access_content")) config_.log.access_content = *v;
    }

    // off | stdout | stderr | a file path (relative to the YAML file) in an existing directory.
    void read_access_target(const Scalar &value) {
        if (value.text == "off" || value.text == "stdout" || value.text == "stderr") {
            config_.log.access = value.text;
            return;
        }
        if (value.text.empty() || value.text.back() == '/') {
            bad_value(value, "log.access", "off, stdout, stderr or a file path");
            return;
        }
        const fs::path path = (base_dir_ / value.text).lexically_normal();
        std::error_code error;
        if (!fs::is_directory(path.parent_path(), error)) {
            ctx_.report(value.line, "log.access: directory '" + path.parent_path().string() + "' does not exist");
            return;
        }
        config_.log.access = path.string();
    }

    void read_metrics(const Entry &section) {
        const Entries e = collect(section.key, section.value, "metrics", {"client_label"});
        if (const Entry *entry = find(e, "client_label"))
            if (const auto v = read_bool(*entry, "metrics.client_label", "client_label")) config_.metrics.client_label = *v;
    }

    // A key's models: or providers: list. Providers must be declared, enabled plugins.
    std::optional<std::vector<std::string>> read_scope_list(const Entry &entry, const std::string &path,
                                                            bool providers) {
        if (!entry.value.IsSequence() || entry.value.size() == 0) {
            ctx_.report(LoadContext::value_line(entry.key, entry.value),
                        path + ": expected a non-empty list of " + (providers ? "provider" : "model") + " names");
            return std::nullopt;
        }
        std::vector<std::string> names;
        bool ok = true;
        std::size_t i = 0;
        for (const YAML::Node &item : entry.value) {
            const std::string where = path + "[" + std::to_string(i++) + "]";
            const auto value = ctx_.item(item, where, false);
            if (!value) {
                ok = false;
            } else if (providers && config_.find_provider(value->text) == nullptr) {
                ctx_.report(value->line, where + ": provider " + value->shown() + " is not a declared, enabled plugin");
                ok = false;
            } else if (value->text.empty() || value->text.size() > 256) {
                bad_value(*value, where, "a model name as clients send it, or provider/model");
                ok = false;
            } else {
                names.push_back(value->text);
            }
        }
        if (!ok) return std::nullopt;
        return names;
    }

    void read_api_keys(const Entry &section) {
        if (section.value.IsNull()) {
            return;
        }
        if (!section.value.IsSequence()) {
            ctx_.report(LoadContext::value_line(section.key, section.value),
                        "'api_keys' must be a list, got " + std::string{LoadContext::kind_of(section.value)});
            return;
        }
        std::map<std::string, int> key_lines;  // key -> line; only lines are ever shown
        std::map<std::string, int> name_lines; // name -> line
        std::size_t index = 0;
        for (const YAML::Node &item : section.value) {
            const std::string path = "api_keys[" + std::to_string(index) + "]";
            ++index;
            std::string name = "key-" + std::to_string(index);
            std::optional<Scalar> key;
            std::vector<std::string> models;
            std::vector<std::string> providers;
            int name_line = LoadContext::line_of(item);
            if (item.IsMap()) {
                const Entries e = collect(item, item, path, {"name", "key", "models", "providers"});
                bool scope_ok = true;
                if (const Entry *entry = find(e, "models")) {
                    const auto list = read_scope_list(*entry, path + ".models", false);
                    scope_ok = list.has_value();
                    if (list) models = *list;
                }
                if (const Entry *entry = find(e, "providers")) {
                    const auto list = read_scope_list(*entry, path + ".providers", true);
                    scope_ok = scope_ok && list.has_value();
                    if (list) providers = *list;
                }
                if (!scope_ok) {
                    continue;
                }
                if (const Entry *entry = find(e, "name")) {
                    const auto value = scalar(*entry, path + ".name", "name");
                    if (!value) {
                        continue;
                    }
                    if (!is_key_name(value->text)) {
                        bad_value(*value, path + ".name", "a name of 1-64 letters, digits, '.', '_' or '-'");
                        continue;
                    }
                    name = value->text;
                    name_line = value->line;
                }
                const Entry *entry = find(e, "key");
                if (entry == nullptr) {
                    ctx_.report(LoadContext::line_of(item), path + ": missing 'key'");
                    continue;
                }
                key = ctx_.scalar(entry->key, entry->value, path + ".key", true);
            } else {
                key = ctx_.item(item, path, true);
            }
            if (!key) {
                continue;
            }
            if (key->text.empty()) {
                continue; // ${HELIXAGENT_API_KEY:-} with the variable unset: no key, not an error
            }
            if (const auto [first, inserted] = key_lines.emplace(key->text, key->line); !inserted) {
                ctx_.report(key->line, path + ": duplicate api key (the same key as at line " +
                                           std::to_string(first->second) + ")");
                continue;
            }
            if (const auto [first, inserted] = name_lines.emplace(name, name_line); !inserted) {
                ctx_.report(name_line, path + ": duplicate api key name '" + name + "' (first at line " +
                                           std::to_string(first->second) + ")");
                continue;
            }
            config_.api_keys.push_back(ApiKey{name, key->text, std::move(models), std::move(providers)});
        }
    }

    void read_plugin_dir(const Entry &entry) {
        const auto value = scalar(entry, "plugin_dir", "plugin_dir");
        if (!value) {
            return;
        }
        if (value->text.empty()) {
            ctx_.report(value->line, "plugin_dir: must not be empty");
            return;
        }
        config_.plugin_dir = (base_dir_ / value->text).lexically_normal().string();
    }

    // bare name -> <plugin_dir>/lib<name>.so; "x.so" -> <plugin_dir>/x.so;
    // a path (absolute, or relative to the YAML file) is used as is.
    std::string resolve_library(const std::string &library) const {
        const fs::path path{library};
        if (path.is_absolute()) {
            return path.lexically_normal().string();
        }
        if (library.find('/') != std::string::npos) {
            return (base_dir_ / path).lexically_normal().string();
        }
        const bool has_suffix = library.ends_with(".so") || library.find(".so.") != std::string::npos;
        const std::string file = has_suffix ? library : "lib" + library + ".so";
        return (fs::path{config_.plugin_dir} / file).lexically_normal().string();
    }

    void read_plugins(const Entry &section) {
        ctx_.for_each_free_entry(
            section.key, section.value, "plugins",
            [&](const std::string &name, const YAML::Node &key_node, const YAML::Node &value) {
                read_plugin(name, key_node, value);
            });
    }

    void read_plugin(const std::string &name, const YAML::Node &key_node, const YAML::Node &value) {
        const int line = LoadContext::line_of(key_node);
        if (!is_provider_name(name)) {
            ctx_.report(line, "plugins: invalid provider name '" + name + "' (expected [a-z0-9][a-z0-9-]*)");
            return;
        }
        // Declared even if its fields are wrong, so providers lists do not add
        // a second, misleading "not declared" error.
        declared_.insert(name);
        const std::string section = "plugins." + name;
        const Entries e =
            collect(key_node, value, section, {"library", "enabled", "timeout", "connect_timeout", "settings"});

        bool optional = false;
        if (const Entry *entry = find(e, "enabled")) {
            if (const auto flag = scalar(*entry, section + ".enabled", "enabled")) {
                if (flag->text == "auto") {
                    optional = true;
                } else if (flag->text == "false" || flag->text == "False" || flag->text == "FALSE") {
                    // Declared but not loaded: the rest is not read, so a disabled
                    // provider's missing credentials cannot fail the whole file.
                    disabled_.insert(name);
                    return;
                } else if (flag->text != "true" && flag->text != "True" && flag->text != "TRUE") {
                    bad_value(*flag, section + ".enabled", "true, false or auto");
                }
            }
        }

        ProviderConfig provider;
        provider.name = name;
        provider.optional = optional;
        provider.source = ctx_.file() + ":" + std::to_string(line);
        // The in-tree naming: aws-bedrock -> helix_aws_bedrock.
        std::string library = "helix_" + name;
        std::replace(library.begin(), library.end(), '-', '_');
        if (const Entry *entry = find(e, "library")) {
            if (const auto value_read = scalar(*entry, section + ".library", "library")) {
                if (value_read->text.empty()) {
                    ctx_.report(value_read->line, section + ".library: must not be empty");
                } else {
                    library = value_read->text;
                }
            }
        }
        provider.library_path = resolve_library(library);
        read_duration(e, section, "timeout", provider.timeout, false);
        read_duration(e, section, "connect_timeout", provider.connect_timeout, false);
        boost::json::object settings;
        if (const Entry *entry = find(e, "settings")) {
            settings = settings_to_json(ctx_, entry->key, entry->value, section + ".settings");
        }
        provider.settings_json = boost::json::serialize(settings);
        config_.providers.push_back(std::move(provider));
    }

    // aliases: {name: "provider/model" | ["provider/model", ...]}. Whether the
    // provider serves that model is checked when the plugins are loaded.
    void read_aliases(const Entry &section) {
        ctx_.for_each_free_entry(section.key, section.value, "aliases",
                                 [&](const std::string &name, const YAML::Node &key_node, const YAML::Node &value) {
            const std::string path = "aliases." + name;
            const int line = LoadContext::line_of(key_node);
            if (name.empty() || name.find('/') != std::string::npos || name.size() > 128) {
                ctx_.report(line, path + ": an alias is a model name without '/' (at most 128 characters)");
                return;
            }
            ModelAlias alias{name, {}, config_.source_file + ":" + std::to_string(line)};
            const auto add_target = [&](const Scalar &target, const std::string &where) {
                const auto slash = target.text.find('/');
                const std::string provider = target.text.substr(0, slash);
                if (slash == std::string::npos || slash + 1 == target.text.size())
                    ctx_.report(target.line, where + ": target '" + target.text + "' is not provider/model");
                else if (config_.find_provider(provider) == nullptr)
                    ctx_.report(target.line, where + ": target '" + target.text + "' names provider '" + provider +
                                                 "', which is not a declared, enabled plugin");
                else
                    alias.targets.push_back(target.text);
            };
            if (value.IsSequence()) {
                std::size_t i = 0;
                for (const YAML::Node &item : value) {
                    const std::string where = path + "[" + std::to_string(i++) + "]";
                    if (const auto target = ctx_.item(item, where, false)) add_target(*target, where);
                }
                if (i == 0) ctx_.report(line, path + ": needs at least one provider/model target");
            } else if (const auto target = ctx_.scalar(key_node, value, path, false)) {
                add_target(*target, path);
            }
            if (!alias.targets.empty()) config_.aliases.push_back(std::move(alias));
        });
    }

    void read_providers(const Entry &section) {
        const Entries e = collect(section.key, section.value, "providers", {"primary", "fallback"});
        std::vector<ListedProvider> primary;
        std::vector<ListedProvider> fallback;
        if (const Entry *entry = find(e, "primary")) {
            primary = read_provider_list(*entry, "providers.primary");
        }
        if (const Entry *entry = find(e, "fallback")) {
            fallback = read_provider_list(*entry, "providers.fallback");
        }
        std::map<std::string, int> in_primary;
        for (const ListedProvider &p : primary) {
            if (check_listed(p, "providers.primary", in_primary)) {
                config_.primary.push_back(p.name);
            }
        }
        std::map<std::string, int> in_fallback;
        for (const ListedProvider &p : fallback) {
            if (const auto found = in_primary.find(p.name); found != in_primary.end()) {
                ctx_.report(p.line, "providers.fallback: provider " + p.shown +
                                        " is already in providers.primary (line " + std::to_string(found->second) +
                                        "); list each provider once");
                continue;
            }
            if (check_listed(p, "providers.fallback", in_fallback)) {
                config_.fallback.push_back(p.name);
            }
        }
    }

    std::vector<ListedProvider> read_provider_list(const Entry &entry, const std::string &path) {
        std::vector<ListedProvider> names;
        if (entry.value.IsNull()) {
            return names;
        }
        if (!entry.value.IsSequence()) {
            ctx_.report(LoadContext::value_line(entry.key, entry.value),
                        path + ": expected a list of provider names, got " +
                            std::string{LoadContext::kind_of(entry.value)});
            return names;
        }
        for (const YAML::Node &item : entry.value) {
            if (const auto value = ctx_.item(item, path, false)) {
                if (!is_provider_name(value->text)) {
                    bad_value(*value, path, "a provider name ([a-z0-9][a-z0-9-]*)");
                    continue;
                }
                names.push_back(ListedProvider{value->text, value->shown(), value->line});
            }
        }
        return names;
    }

    // A listed provider must be declared, enabled and listed once.
    bool check_listed(const ListedProvider &p, const std::string &path, std::map<std::string, int> &seen) {
        if (const auto [first, inserted] = seen.emplace(p.name, p.line); !inserted) {
            ctx_.report(p.line, path + ": provider " + p.shown + " is listed twice (first at line " +
                                    std::to_string(first->second) + ")");
            return false;
        }
        if (disabled_.contains(p.name)) {
            ctx_.report(p.line, path + ": provider " + p.shown + " is disabled (plugins." + p.name +
                                    ".enabled is false)");
            return false;
        }
        if (!declared_.contains(p.name)) {
            ctx_.report(p.line, path + ": provider " + p.shown + " is not declared under 'plugins'");
            return false;
        }
        return true;
    }

    LoadContext ctx_;
    fs::path base_dir_;
    Config config_;
    std::set<std::string> declared_; // every valid name under plugins:, enabled or not
    std::set<std::string> disabled_;
};

fs::path absolute_dir(const std::string &dir) {
    std::error_code error;
    fs::path path = dir.empty() ? fs::current_path(error) : fs::absolute(dir, error);
    return error ? fs::path{dir} : path.lexically_normal();
}

} // namespace

ConfigPtr load_config_from_string(std::string_view yaml, const std::string &source_name, const std::string &base_dir,
                                  const Environment &env) {
    return Loader{source_name, absolute_dir(base_dir), env}.load(yaml);
}

ConfigPtr load_config(const std::string &path, const Environment &env) {
    std::error_code error;
    fs::path file = fs::absolute(path, error);
    if (error) {
        file = path;
    }
    file = file.lexically_normal();
    const std::string name = file.string();
    if (fs::is_directory(file, error)) {
        throw ConfigError({ConfigIssue{name, 0, "cannot read the configuration: it is a directory"}});
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const std::string reason = std::error_code{errno, std::generic_category()}.message();
        throw ConfigError({ConfigIssue{name, 0, "cannot read the configuration: " + reason}});
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw ConfigError({ConfigIssue{name, 0, "cannot read the configuration: read error"}});
    }
    return load_config_from_string(text.str(), name, file.parent_path().string(), env);
}

} // namespace helix::config
