#include "daemon/plugins/provider_instance.hpp"

#include "daemon/plugins/non_blocking_thread.hpp"
#include "daemon/plugins/request_check.hpp"

#include <cstddef>
#include <cstdio>
#include <cstring>

namespace helix::plugins {

namespace {

PluginFailure make_failure() {
    PluginFailure f;
    f.error.struct_size = sizeof f.error;
    return f;
}

std::string to_string(helix_str s) { return s.len == 0 ? std::string() : std::string(s.data, s.len); }

} // namespace

std::string error_message(const helix_error &error) {
    return std::string(error.message, strnlen(error.message, sizeof error.message));
}

std::string PluginFailure::message() const { return error_message(error); }

UpstreamCall::UpstreamCall(std::shared_ptr<const ProviderInstance> owner, helix_call *call,
                           const helix_http_request &r)
    : owner_(std::move(owner)), call_(call), request_(r) {}

UpstreamCall::~UpstreamCall() {
    auto lock = owner_->maybe_lock();
    owner_->library().descriptor().call_free(call_);
}

PluginFailure UpstreamCall::decode(const helix_http_response &response, const helix_event_sink &sink) {
    PluginFailure f = make_failure();
    CheckedEventSink checked(sink);
    auto lock = owner_->maybe_lock();
    f.status = owner_->library().descriptor().decode(call_, &response, checked.table(), &f.error);
    checked.apply(f);
    owner_->host_->redactor().redact(f.error);
    return f;
}

PluginFailure UpstreamCall::finish(const helix_event_sink &sink) {
    PluginFailure f = make_failure();
    CheckedEventSink checked(sink);
    auto lock = owner_->maybe_lock();
    f.status = owner_->library().descriptor().finish(call_, checked.table(), &f.error);
    checked.apply(f);
    owner_->host_->redactor().redact(f.error);
    return f;
}

ProviderInstance::ProviderInstance(std::string name, PluginLibraryPtr library, std::unique_ptr<HostServices> host)
    : name_(std::move(name)), library_(std::move(library)), host_(std::move(host)) {}

std::shared_ptr<ProviderInstance> ProviderInstance::create(const std::string &provider_name,
                                                           PluginLibraryPtr library, std::string_view settings_json,
                                                           std::shared_ptr<SideRequestClient> side_requests,
                                                           Clock clock, bool redact) {
    const helix_plugin_descriptor &d = library->descriptor();
    SecretRedactor redactor = redact ? SecretRedactor(d, settings_json) : SecretRedactor();
    auto host = std::make_unique<HostServices>(provider_name, settings_json, std::move(side_requests),
                                               std::move(clock), std::move(redactor));
    std::shared_ptr<ProviderInstance> self(new ProviderInstance(provider_name, library, std::move(host)));

    PluginFailure f = make_failure();
    self->plugin_ = d.create(self->host_->table(), &f.error);
    self->host_->redactor().redact(f.error);
    if (self->plugin_ == nullptr)
        throw PluginLoadError("provider '" + provider_name + "' (" + library->path() +
                              "): plugin refused its settings: " + f.message());

    const helix_model_info *const *models = nullptr;
    std::size_t count = 0;
    f.status = d.list_models(self->plugin_, &models, &count, &f.error);
    self->host_->redactor().redact(f.error);
    if (f)
        throw PluginLoadError("provider '" + provider_name + "': list_models failed: " + f.message());
    if (count > 0 && models == nullptr)
        throw PluginLoadError("provider '" + provider_name + "': list_models counted " + std::to_string(count) +
                              " models but returned no array");
    for (std::size_t i = 0; i < count; ++i) {
        if (models[i] == nullptr)
            throw PluginLoadError("provider '" + provider_name + "': model entry " + std::to_string(i) + " is NULL");
        const helix_model_info &m = *models[i];
        if (m.struct_size < offsetof(helix_model_info, context_window) + sizeof m.context_window)
            throw PluginLoadError("provider '" + provider_name + "': model entry " + std::to_string(i) +
                                  " has struct_size " + std::to_string(m.struct_size) + ", too small");
        // A plugin built before max_embedding_inputs existed has no limit of its own.
        const bool has_limit = m.struct_size >= offsetof(helix_model_info, max_embedding_inputs) +
                                                     sizeof m.max_embedding_inputs;
        self->models_.push_back({to_string(m.id), to_string(m.upstream_id), m.capabilities, m.context_window,
                                 has_limit ? m.max_embedding_inputs : 0});
    }
    return self;
}

ProviderInstance::~ProviderInstance() {
    if (plugin_ != nullptr) library_->descriptor().destroy(plugin_);
}

const ModelInfo *ProviderInstance::find_model(const std::string &id) const {
    for (const auto &m : models_)
        if (m.id == id) return &m;
    return nullptr;
}

std::unique_lock<std::mutex> ProviderInstance::maybe_lock() const {
    if (library_->descriptor().thread_safety == HELIX_THREADS_SERIALIZED) return std::unique_lock(serial_);
    return {};
}

helix_health ProviderInstance::health(std::string &detail) const {
    const auto health_fn = library_->descriptor().health;
    if (health_fn == nullptr) return HELIX_HEALTH_OK;
    PluginFailure f = make_failure();
    auto lock = maybe_lock();
    const std::uint32_t h = health_fn(plugin_, &f.error);
    host_->redactor().redact(f.error);
    detail = f.message();
    if (h == HELIX_HEALTH_OK || h == HELIX_HEALTH_DEGRADED || h == HELIX_HEALTH_FAILING)
        return static_cast<helix_health>(h);
    detail = "plugin reported health " + std::to_string(h) + (h == 0 ? " (unset)" : " (unknown)");
    return HELIX_HEALTH_FAILING;
}

PluginFailure ProviderInstance::prepare(const helix_chat_request &request,
                                        std::unique_ptr<UpstreamCall> &call) const {
    helix_request r{};
    r.struct_size = sizeof r;
    r.operation = HELIX_OP_CHAT;
    r.chat = &request;
    return prepare(r, call);
}

PluginFailure ProviderInstance::prepare_embeddings(const helix_embeddings_request &request,
                                                   std::unique_ptr<UpstreamCall> &call) const {
    helix_request r{};
    r.struct_size = sizeof r;
    r.operation = HELIX_OP_EMBEDDINGS;
    r.embeddings = &request;
    return prepare(r, call);
}

PluginFailure ProviderInstance::prepare_messages(const helix_messages_request &request,
                                                 std::unique_ptr<UpstreamCall> &call) const {
    helix_request r{};
    r.struct_size = sizeof r;
    r.operation = HELIX_OP_MESSAGES;
    r.messages = &request;
    return prepare(r, call);
}

PluginFailure ProviderInstance::prepare(const helix_request &request, std::unique_ptr<UpstreamCall> &call) const {
    PluginFailure f = make_failure();
    helix_call *raw = nullptr;
    helix_http_request out{};
    out.struct_size = sizeof out;
    {
        std::unique_lock<std::mutex> lock;
        if (library_->descriptor().thread_safety == HELIX_THREADS_SERIALIZED) {
            lock = std::unique_lock(serial_, std::defer_lock);
            if (!must_not_block())
                lock.lock();
            else if (!lock.try_lock()) { // another thread's prepare() may be blocked in a fetch
                f.status = HELIX_ERR_WOULD_BLOCK;
                return f;
            }
        }
        f.status = library_->descriptor().prepare(plugin_, &request, &raw, &out, &f.error);
    }
    host_->redactor().redact(f.error);
    if (f.status == HELIX_OK && raw == nullptr) {
        f.status = HELIX_ERR_INTERNAL;
        std::snprintf(f.error.message, sizeof f.error.message, "plugin prepare returned no call");
    }
    if (f.status == HELIX_OK)
        if (const auto problem = unsafe_request_part(out)) { // e.g. a CR LF from a setting or a token reply
            f.status = HELIX_ERR_CONFIG;
            std::snprintf(f.error.message, sizeof f.error.message, "provider %s prepared a request that is not sent: %s",
                          name_.c_str(), problem->c_str());
        }
    if (f) {
        if (raw != nullptr) library_->descriptor().call_free(raw);
        return f;
    }
    call.reset(new UpstreamCall(shared_from_this(), raw, out));
    return f;
}

} // namespace helix::plugins
