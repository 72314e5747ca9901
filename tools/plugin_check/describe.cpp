#include "tools/plugin_check/describe.hpp"

#include "daemon/plugins/plugin_library.hpp"
#include "daemon/plugins/provider_instance.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <vector>

namespace helix::plugin_check {
namespace {

// One settings-table entry as plain strings (the table's pointers are the
// plugin's, valid while the library is loaded).
struct SettingFacts {
    std::string name;
    std::string type;
    bool has_default = false;
    std::string default_value;
    bool required = false;
    bool secret = false;
    bool host_option = false;
    std::string description;
    std::vector<std::string> env;
    std::string env_provider; // empty: the variables apply to no provider
};

struct Facts {
    std::string name;
    std::string version;
    std::string abi;
    std::string threads;
    std::string file;
    std::vector<SettingFacts> settings; // table order
    std::vector<plugins::ModelInfo> models;
    std::string models_refused; // why no instance could be made, else empty
};

const char *type_name(std::uint32_t type) {
    switch (type) {
    case HELIX_SETTING_STRING: return "string";
    case HELIX_SETTING_INTEGER: return "integer";
    case HELIX_SETTING_NUMBER: return "number";
    case HELIX_SETTING_BOOLEAN: return "boolean";
    case HELIX_SETTING_DURATION: return "duration";
    case HELIX_SETTING_LIST: return "list";
    case HELIX_SETTING_MAP: return "map";
    default: return "unknown"; // the loader refuses these; kept for safety
    }
}

std::vector<std::string> capability_names(std::uint32_t bits) {
    constexpr std::pair<std::uint32_t, const char *> kNames[] = {
        {HELIX_MODEL_STREAMING, "streaming"},   {HELIX_MODEL_TOOLS, "tools"},
        {HELIX_MODEL_VISION, "vision"},         {HELIX_MODEL_MULTIPLE_CHOICES, "n>1"},
        {HELIX_MODEL_EMBEDDINGS, "embeddings"}, {HELIX_MODEL_REASONING, "reasoning"},
        {HELIX_MODEL_DOCUMENTS, "documents"},   {HELIX_MODEL_COMPLETIONS, "completions"},
        {HELIX_MODEL_INLINE_MEDIA, "inline media"},
    };
    std::vector<std::string> names;
    for (const auto &[bit, name] : kNames)
        if ((bits & bit) != 0) names.emplace_back(name);
    return names;
}

std::string joined(const std::vector<std::string> &items, const std::string &separator) {
    std::string text;
    for (const auto &item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

std::vector<std::string> flag_names(const SettingFacts &s) {
    std::vector<std::string> flags;
    if (s.required) flags.emplace_back("required");
    if (s.secret) flags.emplace_back("secret");
    return flags;
}

std::string env_text(const SettingFacts &s, const std::string &quote) {
    std::vector<std::string> quoted;
    for (const auto &name : s.env) quoted.push_back(quote + name + quote);
    std::string text = joined(quoted, ", ");
    if (!s.env_provider.empty()) text += " (provider " + quote + s.env_provider + quote + ")";
    return text;
}

Facts gather(const plugins::PluginLibraryPtr &library, const std::string &settings_json) {
    const helix_plugin_descriptor &d = library->descriptor();
    Facts facts;
    facts.name = library->name();
    facts.version = library->version();
    facts.abi = std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor);
    facts.threads = d.thread_safety == HELIX_THREADS_SERIALIZED ? "serialized" : "concurrent";
    facts.file = library->path();
    for (std::size_t i = 0; i < d.setting_count; ++i) {
        const helix_setting &s = *d.settings[i];
        SettingFacts f;
        f.name = s.name;
        f.type = type_name(s.type);
        f.has_default = s.default_value != nullptr;
        if (f.has_default) f.default_value = s.default_value;
        f.required = (s.flags & HELIX_SETTING_REQUIRED) != 0;
        f.secret = (s.flags & HELIX_SETTING_SECRET) != 0;
        f.host_option = (s.flags & HELIX_SETTING_HOST_OPTION) != 0;
        if (s.description != nullptr) f.description = s.description;
        for (const char *const *name = s.env; name != nullptr && *name != nullptr; ++name) f.env.emplace_back(*name);
        if (s.env_provider != nullptr) f.env_provider = s.env_provider;
        facts.settings.push_back(std::move(f));
    }
    try {
        facts.models = plugins::ProviderInstance::create("described", library, settings_json, nullptr)->models();
    } catch (const plugins::PluginLoadError &e) {
        facts.models_refused = e.what();
    }
    return facts;
}

// --- text: aligned columns, details indented under each key -------------

void text_setting(const SettingFacts &s, std::size_t width, std::ostream &out) {
    out << "  " << std::left << std::setw(static_cast<int>(width)) << s.name << "  ";
    const auto flags = flag_names(s);
    if (flags.empty()) out << s.type << '\n';
    else out << std::setw(8) << s.type << "  [" << joined(flags, ", ") << "]\n";
    const std::string indent(width + 4, ' ');
    if (!s.description.empty()) out << indent << s.description << '\n';
    if (s.has_default) out << indent << "default: " << s.default_value << '\n';
    if (!s.env.empty()) out << indent << "environment: " << env_text(s, "\"") << '\n';
}

void print_text(const Facts &f, std::ostream &out) {
    out << "plugin " << f.name << ' ' << f.version << " (ABI " << f.abi << ", " << f.threads << " calls)\n"
        << "file " << f.file << "\n\n";
    std::size_t width = 4;
    for (const auto &s : f.settings) width = std::max(width, s.name.size());
    const auto section = [&](bool host_options) {
        bool any = false;
        for (const auto &s : f.settings)
            if (s.host_option == host_options) {
                text_setting(s, width, out);
                any = true;
            }
        return any;
    };
    out << "settings (plugins.NAME.settings):\n";
    if (!section(false)) out << "  none\n";
    if (std::any_of(f.settings.begin(), f.settings.end(), [](const auto &s) { return s.host_option; })) {
        out << "host options (plugins.NAME.<option>):\n";
        section(true);
    }
    out << "\nmodels (an instance made from --settings):\n";
    if (!f.models_refused.empty()) out << "  not listed: " << f.models_refused << '\n';
    else if (f.models.empty()) out << "  none\n";
    for (const auto &m : f.models) {
        const auto caps = capability_names(m.capabilities);
        out << "  " << m.id;
        if (m.upstream_id != m.id) out << " (upstream " << m.upstream_id << ")";
        out << ": " << (caps.empty() ? "chat only" : joined(caps, ", "));
        if (m.context_window > 0) out << "; context window " << m.context_window;
        out << '\n';
    }
}

// --- Markdown: one table per section, for a documentation page ----------

// A table cell: a '|' would end it and a newline the row.
std::string cell(const std::string &text) {
    std::string out;
    for (const char c : text) {
        if (c == '|') out += "\\|";
        else if (c == '\n' || c == '\r') out += ' ';
        else out += c;
    }
    return out;
}

std::string code(const std::string &text) { return text.empty() ? "" : "`" + cell(text) + "`"; }

void markdown_settings(const Facts &f, bool host_options, std::ostream &out) {
    out << "| Key | Type | Default | Flags | Environment | Description |\n"
        << "|-----|------|---------|-------|-------------|-------------|\n";
    for (const auto &s : f.settings) {
        if (s.host_option != host_options) continue;
        out << "| " << code(s.name) << " | " << s.type << " | " << (s.has_default ? code(s.default_value) : "")
            << " | " << joined(flag_names(s), ", ") << " | " << cell(env_text(s, "`")) << " | " << cell(s.description)
            << " |\n";
    }
}

void print_markdown(const Facts &f, std::ostream &out) {
    out << "## " << cell(f.name) << ' ' << cell(f.version) << "\n\n"
        << "Plugin ABI " << f.abi << ", " << f.threads << " calls.\n\n"
        << "### Settings (`plugins.<name>.settings`)\n\n";
    if (std::none_of(f.settings.begin(), f.settings.end(), [](const auto &s) { return !s.host_option; }))
        out << "None.\n";
    else
        markdown_settings(f, false, out);
    if (std::any_of(f.settings.begin(), f.settings.end(), [](const auto &s) { return s.host_option; })) {
        out << "\n### Host options (`plugins.<name>.<option>`)\n\n";
        markdown_settings(f, true, out);
    }
    out << "\n### Models\n\n";
    if (!f.models_refused.empty()) {
        out << "Not listed: " << cell(f.models_refused) << "\n";
        return;
    }
    out << "| Model | Upstream id | Capabilities | Context window |\n"
        << "|-------|-------------|--------------|----------------|\n";
    for (const auto &m : f.models)
        out << "| " << code(m.id) << " | " << code(m.upstream_id) << " | "
            << joined(capability_names(m.capabilities), ", ") << " | "
            << (m.context_window > 0 ? std::to_string(m.context_window) : "") << " |\n";
}

// --- JSON: the same facts for scripts ------------------------------------

void print_json(const Facts &f, std::ostream &out) {
    boost::json::array settings;
    for (const auto &s : f.settings) {
        boost::json::object o{{"name", s.name},        {"type", s.type},           {"required", s.required},
                              {"secret", s.secret},    {"host_option", s.host_option},
                              {"description", s.description}};
        o["default"] = s.has_default ? boost::json::value(s.default_value) : boost::json::value(nullptr);
        boost::json::array env;
        for (const auto &name : s.env) env.emplace_back(name);
        o["env"] = std::move(env);
        o["env_provider"] = s.env_provider.empty() ? boost::json::value(nullptr) : boost::json::value(s.env_provider);
        settings.push_back(std::move(o));
    }
    boost::json::object doc{{"name", f.name}, {"version", f.version},   {"abi", f.abi},
                            {"threads", f.threads}, {"file", f.file}, {"settings", std::move(settings)}};
    if (!f.models_refused.empty()) {
        doc["models"] = nullptr;
        doc["models_refused"] = f.models_refused;
    } else {
        boost::json::array models;
        for (const auto &m : f.models) {
            boost::json::array caps;
            for (const auto &c : capability_names(m.capabilities)) caps.emplace_back(c);
            models.push_back(boost::json::object{{"id", m.id},
                                                 {"upstream_id", m.upstream_id},
                                                 {"capabilities", std::move(caps)},
                                                 {"context_window", m.context_window}});
        }
        doc["models"] = std::move(models);
    }
    out << boost::json::serialize(doc) << '\n';
}

} // namespace

bool parse_describe_format(const std::string &name, DescribeFormat &out) {
    if (name == "text") out = DescribeFormat::text;
    else if (name == "markdown") out = DescribeFormat::markdown;
    else if (name == "json") out = DescribeFormat::json;
    else return false;
    return true;
}

int describe(const std::string &path, const std::string &settings_json, DescribeFormat format, std::ostream &out,
             std::ostream &err) {
    plugins::PluginLibraryPtr library;
    try {
        library = plugins::PluginLibrary::load(path);
    } catch (const plugins::PluginLoadError &e) {
        err << "helixagent-plugin-check: cannot describe: " << e.what() << '\n';
        return 1;
    }
    const Facts facts = gather(library, settings_json);
    switch (format) {
    case DescribeFormat::text: print_text(facts, out); break;
    case DescribeFormat::markdown: print_markdown(facts, out); break;
    case DescribeFormat::json: print_json(facts, out); break;
    }
    return 0;
}

} // namespace helix::plugin_check
