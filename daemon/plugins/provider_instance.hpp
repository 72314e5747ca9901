#pragma once
// One configured provider: a plugin instance created from a loaded library
// with its own settings. Shared by every request of the config snapshot that
// made it; destroyed (and the library possibly unloaded) after the last one.

#include "daemon/plugins/checked_event_sink.hpp"
#include "daemon/plugins/host_services.hpp"
#include "daemon/plugins/plugin_library.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace helix::plugins {

struct ModelInfo {
    std::string id;
    std::string upstream_id;
    std::uint32_t capabilities = 0;
    std::int64_t context_window = 0;
    std::uint32_t max_embedding_inputs = 0; // 0: no limit of the model's own
};

// A helix_error's message as the plugin wrote it, read no further than its
// buffer even when the plugin forgot the terminating NUL.
std::string error_message(const helix_error &error);

// A plugin status plus its filled error, as the host sees it.
struct PluginFailure {
    helix_status status = HELIX_OK;
    helix_error error{};
    explicit operator bool() const noexcept { return status != HELIX_OK; }
    // The plugin's message, read no further than its buffer.
    std::string message() const;
};

class ProviderInstance;

// One upstream call. Frees the plugin's call object on destruction.
class UpstreamCall {
public:
    UpstreamCall(const UpstreamCall &) = delete;
    UpstreamCall &operator=(const UpstreamCall &) = delete;
    ~UpstreamCall();

    const helix_http_request &request() const noexcept { return request_; }
    PluginFailure decode(const helix_http_response &response, const helix_event_sink &sink);
    PluginFailure finish(const helix_event_sink &sink);

private:
    friend class ProviderInstance;
    UpstreamCall(std::shared_ptr<const ProviderInstance> owner, helix_call *call, const helix_http_request &r);

    std::shared_ptr<const ProviderInstance> owner_;
    helix_call *call_;
    helix_http_request request_;
};

class ProviderInstance : public std::enable_shared_from_this<ProviderInstance> {
public:
    // Creates the instance; throws PluginLoadError naming the provider when
    // the plugin refuses its settings. With `redact` (the daemon), secret
    // values are taken out of what the plugin logs and returns; without it
    // (helixagent-plugin-check, which looks for such leaks) they are not.
    static std::shared_ptr<ProviderInstance> create(const std::string &provider_name, PluginLibraryPtr library,
                                                    std::string_view settings_json,
                                                    std::shared_ptr<SideRequestClient> side_requests,
                                                    Clock clock = {}, bool redact = true);
    ~ProviderInstance();
    ProviderInstance(const ProviderInstance &) = delete;
    ProviderInstance &operator=(const ProviderInstance &) = delete;

    const std::string &name() const noexcept { return name_; }
    const PluginLibrary &library() const noexcept { return *library_; }
    const std::vector<ModelInfo> &models() const noexcept { return models_; }
    const ModelInfo *find_model(const std::string &id) const;

    helix_health health(std::string &detail) const;

    // Translates the request; on success *call holds the upstream call.
    PluginFailure prepare(const helix_chat_request &request, std::unique_ptr<UpstreamCall> &call) const;
    PluginFailure prepare_embeddings(const helix_embeddings_request &request, std::unique_ptr<UpstreamCall> &call) const;
    PluginFailure prepare_messages(const helix_messages_request &request, std::unique_ptr<UpstreamCall> &call) const;
    PluginFailure prepare(const helix_request &request, std::unique_ptr<UpstreamCall> &call) const;

private:
    friend class UpstreamCall;
    ProviderInstance(std::string name, PluginLibraryPtr library, std::unique_ptr<HostServices> host);
    // Held while calling into a plugin that asked to be serialised.
    std::unique_lock<std::mutex> maybe_lock() const;

    std::string name_;
    PluginLibraryPtr library_; // declared first among owners: destroyed last
    std::unique_ptr<HostServices> host_;
    helix_plugin *plugin_ = nullptr;
    std::vector<ModelInfo> models_;
    mutable std::mutex serial_;
};

using ProviderInstancePtr = std::shared_ptr<const ProviderInstance>;

} // namespace helix::plugins
