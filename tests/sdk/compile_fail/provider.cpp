// A provider that HELIX_PLUGIN accepts (MISTAKE undefined) or must refuse at
// compile time (MISTAKE = one misspelt or mistyped member). Compiled by
// compile_fail_test.cmake once per mistake.
#include <helixagent/plugin.hpp>

namespace {

class Call final : public helix::sdk::Call {
public:
    void decode(const helix_http_response &, helix::sdk::EventSink &) override {}
    void finish(helix::sdk::EventSink &) override {}
};

class Provider final : public helix::sdk::Provider {
public:
    explicit Provider(helix::sdk::Host host) : helix::sdk::Provider(host) {}
#if MISTAKE == 1
    static void validate_confg(std::string_view) {} // misspelt: --check-config would lose it
#else
    static void validate_config(std::string_view) {}
#endif
#if MISTAKE == 2
    static constexpr helix_thread_safety thread_safty = HELIX_THREADS_SERIALIZED; // misspelt
#else
    static constexpr helix_thread_safety thread_safety = HELIX_THREADS_SERIALIZED;
#endif
#if MISTAKE == 3
    static std::vector<helix::sdk::Setting> setings() { return {}; } // misspelt: no settings table
#else
    static std::vector<helix::sdk::Setting> settings() { return {}; }
#endif
    std::vector<helix::sdk::Model> models() const override { return {}; }
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &, helix::sdk::HttpRequest &) override {
        return std::make_unique<Call>();
    }
    std::unique_ptr<helix::sdk::Call> prepare_embeddings(const helix_embeddings_request &,
                                                         helix::sdk::HttpRequest &) override {
        throw not_supported_embeddings();
    }
#if MISTAKE == 4
    helix_health helth(std::string &) const { return HELIX_HEALTH_OK; } // misspelt, without override
#elif MISTAKE == 5
    helix_health health(std::string &) { return HELIX_HEALTH_OK; } // not const: hides, does not override
#else
    helix_health health(std::string &) const override { return HELIX_HEALTH_OK; }
#endif
};

} // namespace

HELIX_PLUGIN(Provider, "compile_check", "0.0.1")
