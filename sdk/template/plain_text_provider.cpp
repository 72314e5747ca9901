// A complete, small provider plugin: the starting point for your own.
//
// Its upstream is a plain-text completion service: POST the conversation as
// text, read the completion back as text/plain, streamed or not. Real
// providers differ only in how much translating prepare() and decode() do.
//
// Settings (the `settings:` map of this plugin in helixagent.yaml):
//   base_url: http://127.0.0.1:9000/complete   (required)
//   models: [plain-1]                            (optional)

#include <helixagent/plugin.hpp>

#include <boost/json.hpp>

#include <charconv>
#include <string>

namespace {

using helix::sdk::Error;
using helix::sdk::view;

struct Settings {
    std::string base_url;
    std::vector<std::string> models;
};

Settings parse_settings(std::string_view json) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(json, ec);
    if (ec || !v.is_object()) throw Error(HELIX_ERR_CONFIG, "settings must be a JSON object");
    const auto &o = v.as_object();
    Settings s;
    const auto *url = o.if_contains("base_url");
    if (url == nullptr || !url->is_string() || url->as_string().empty())
        throw Error(HELIX_ERR_CONFIG, "settings.base_url is required (the service's URL)");
    s.base_url = url->as_string();
    if (const auto *models = o.if_contains("models")) {
        if (!models->is_array()) throw Error(HELIX_ERR_CONFIG, "settings.models must be a list of names");
        for (const auto &m : models->as_array()) {
            if (!m.is_string()) throw Error(HELIX_ERR_CONFIG, "settings.models must be a list of names");
            s.models.emplace_back(m.as_string());
        }
    }
    if (s.models.empty()) s.models.emplace_back("plain-1");
    return s;
}

// The upstream wants one text: the messages, one per line, with their role.
std::string flatten(const helix_chat_request &request) {
    // Indexed by HELIX_ROLE_*; the SDK has already refused a role it does not know.
    static constexpr const char *role_names[] = {"", "system", "developer", "user", "assistant", "tool"};
    std::string text;
    // ABI arrays are arrays of pointers; items() walks them as references.
    for (const helix_message &m : helix::sdk::items(request.messages, request.message_count)) {
        text += role_names[m.role];
        text += ": ";
        if (m.parts == nullptr) text += view(m.text);
        for (const helix_content_part &p : helix::sdk::items(m.parts, m.part_count))
            if (p.type == HELIX_PART_TEXT) text += view(p.text);
        text += '\n';
    }
    return text;
}

std::uint32_t retry_after_ms(const helix_http_response &r) {
    const std::string_view value = helix::sdk::find_header(r, "retry-after");
    std::uint32_t seconds = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), seconds).ec == std::errc{})
        return seconds * 1000;
    return 0;
}

class PlainTextCall final : public helix::sdk::Call {
public:
    void decode(const helix_http_response &response, helix::sdk::EventSink &events) override {
        if (response.status == 429 || response.status >= 500)
            throw Error(HELIX_ERR_RETRY, "upstream answered HTTP " + std::to_string(response.status),
                        response.status == 429 ? 429 : 502, retry_after_ms(response));
        if (response.status != 200)
            throw Error(HELIX_ERR_UPSTREAM, "upstream answered HTTP " + std::to_string(response.status), 502);
        if (!started_) started_ = events.start({}, {});
        if (response.len > 0) {
            const std::string_view bytes(reinterpret_cast<const char *>(response.data), response.len);
            completion_chars_ += bytes.size();
            events.text(0, bytes);
        }
    }

    void finish(helix::sdk::EventSink &events) override {
        events.finish(0, HELIX_FINISH_STOP);
        // The service reports no token counts; estimate as ~4 characters per token.
        events.usage(static_cast<std::int64_t>(prompt_chars_ / 4),
                     static_cast<std::int64_t>(completion_chars_ / 4));
    }

    explicit PlainTextCall(std::size_t prompt_chars) : prompt_chars_(prompt_chars) {}

private:
    std::size_t prompt_chars_;
    std::size_t completion_chars_ = 0;
    bool started_ = false;
};

class PlainTextProvider final : public helix::sdk::Provider {
public:
    explicit PlainTextProvider(helix::sdk::Host host)
        : Provider(host), settings_(parse_settings(host.config_json())) {}

    // HELIX_PLUGIN requires these three static members (a misspelt one does
    // not compile). validate_config lets `helixagentd --check-config` report
    // a bad settings map.
    static void validate_config(std::string_view json) { parse_settings(json); }
    static constexpr helix_thread_safety thread_safety = HELIX_THREADS_CONCURRENT_CALLS;
    // The settings table: the host checks, documents and redacts with it,
    // and `helixagent-plugin-check --describe` prints it.
    static std::vector<helix::sdk::Setting> settings() {
        return {
            {.name = "base_url", .type = HELIX_SETTING_STRING, .description = "The service's URL (required)."},
            {.name = "models", .type = HELIX_SETTING_LIST, .description = "Model names clients may ask for.",
             .default_value = "[plain-1]"},
        };
    }

    std::vector<helix::sdk::Model> models() const override {
        std::vector<helix::sdk::Model> out;
        for (const auto &name : settings_.models) out.push_back({name, name, HELIX_MODEL_STREAMING, 4096});
        return out;
    }

    // This service has no embeddings (every method is pure virtual, so that
    // a misspelt one is a compile error rather than a feature lost).
    std::unique_ptr<helix::sdk::Call> prepare_embeddings(const helix_embeddings_request &,
                                                         helix::sdk::HttpRequest &) override {
        throw not_supported_embeddings();
    }

    // Cheap, no I/O: a plain-text service needs no credentials.
    helix_health health(std::string &) const override { return HELIX_HEALTH_OK; }

    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request,
                                              helix::sdk::HttpRequest &out) override {
        if (request.tool_count > 0)
            throw Error(HELIX_ERR_NOT_SUPPORTED, "this provider does not support tools", 400, 0, {}, "tools");
        if (request.n > 1)
            throw Error(HELIX_ERR_NOT_SUPPORTED, "this provider returns one choice; set n to 1", 400, 0, {}, "n");
        out.method = "POST";
        out.url = settings_.base_url;
        out.body = flatten(request);
        out.add_header("content-type", "text/plain; charset=utf-8");
        out.add_header("x-model", std::string(view(request.model)));
        out.streaming_response = request.stream != 0;
        return std::make_unique<PlainTextCall>(out.body.size());
    }

private:
    Settings settings_;
};

} // namespace

HELIX_PLUGIN(PlainTextProvider, "plain_text", "1.0.0")
