// HelixAgent plugin SDK: a header-only C++ layer over plugin_abi.h.
//
// A plugin author derives from helix::sdk::Provider (one per configured
// instance) and helix::sdk::Call (one per upstream call), then writes
//
//     HELIX_PLUGIN(MyProvider, "my_provider", "1.0.0")
//
// once in one source file. Everything here is compiled into the plugin, so the
// C++ types never cross the ABI: the adapter below converts to and from the C
// structs and catches every exception at the edge.
#pragma once

#include <helixagent/plugin_abi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helix::sdk {

inline std::string_view view(helix_str s) noexcept {
    return s.len == 0 ? std::string_view{} : std::string_view{s.data, s.len};
}

inline helix_str str(std::string_view s) noexcept { return helix_str{s.data(), s.size()}; }

// ASCII case-insensitive equality, for HTTP header names.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x != y && (x | 0x20u) != (y | 0x20u)) return false;
        if (x != y && !((x | 0x20u) >= 'a' && (x | 0x20u) <= 'z')) return false;
    }
    return true;
}

// The first value of a response header (case-insensitive name), or empty.
inline std::string_view find_header(const helix_http_response &r, std::string_view name) noexcept {
    for (std::size_t i = 0; i < r.header_count; ++i)
        if (iequals(view(r.headers[i].name), name)) return view(r.headers[i].value);
    return {};
}

// The exception plugin code throws to report a failure; the adapter turns it
// into a helix_status and a filled helix_error.
class Error : public std::runtime_error {
public:
    Error(helix_status status, const std::string &message, int http_status = 0,
          std::uint32_t retry_after_ms = 0, std::string code = {}, std::string param = {})
        : std::runtime_error(message), status_(status), http_status_(http_status),
          retry_after_ms_(retry_after_ms), code_(std::move(code)), param_(std::move(param)) {}

    helix_status status() const noexcept { return status_; }
    int http_status() const noexcept { return http_status_; }
    std::uint32_t retry_after_ms() const noexcept { return retry_after_ms_; }
    const std::string &code() const noexcept { return code_; }
    const std::string &param() const noexcept { return param_; }

private:
    helix_status status_;
    int http_status_;
    std::uint32_t retry_after_ms_;
    std::string code_;
    std::string param_;
};

namespace detail {

template <std::size_t N> void copy_truncated(char (&dest)[N], std::string_view src) noexcept {
    const std::size_t n = std::min(src.size(), N - 1);
    std::memcpy(dest, src.data(), n);
    dest[n] = '\0';
}

inline void fill_error(helix_error *err, const Error &e) noexcept {
    if (err == nullptr || err->struct_size < sizeof(helix_error)) return;
    err->http_status = e.http_status();
    err->retry_after_ms = e.retry_after_ms();
    copy_truncated(err->code, e.code());
    copy_truncated(err->param, e.param());
    copy_truncated(err->message, e.what());
}

inline void fill_error(helix_error *err, std::string_view message) noexcept {
    if (err == nullptr || err->struct_size < sizeof(helix_error)) return;
    err->http_status = 0;
    err->retry_after_ms = 0;
    err->code[0] = '\0';
    err->param[0] = '\0';
    copy_truncated(err->message, message);
}

// Runs f, converting any exception into a status and an error message.
template <class F> helix_status guarded(helix_error *err, F &&f) noexcept {
    try {
        f();
        return HELIX_OK;
    } catch (const Error &e) {
        fill_error(err, e);
        return e.status();
    } catch (const std::bad_alloc &) {
        fill_error(err, "plugin ran out of memory");
        return HELIX_ERR_INTERNAL;
    } catch (const std::exception &e) {
        fill_error(err, e.what());
        return HELIX_ERR_INTERNAL;
    } catch (...) {
        fill_error(err, "plugin threw an unknown exception");
        return HELIX_ERR_INTERNAL;
    }
}

} // namespace detail

// An HTTP request owned by the plugin. prepare() fills one; the host sees a C
// view of it that stays valid until the call is freed.
struct HttpRequest {
    std::string method = "POST";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool streaming_response = false;

    void add_header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
};

// A whole response to a side request made through Host::fetch.
struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // First header with this name (ASCII case-insensitive), or empty.
    std::string_view header(std::string_view name) const {
        for (const auto &[n, v] : headers)
            if (iequals(n, name)) return v;
        return {};
    }
};

// The services the host gives this plugin instance.
class Host {
public:
    explicit Host(const helix_host *host) noexcept : host_(host) {}

    void log(helix_log_level level, std::string_view message) const noexcept {
        host_->log(host_->ctx, level, str(message));
    }

    std::int64_t now_unix_ms() const noexcept { return host_->now_unix_ms(host_->ctx); }

    std::string_view config_json() const noexcept { return view(host_->config_json(host_->ctx)); }

    // Blocking side request through the host's transport. Throws Error when
    // the request could not be made (HELIX_ERR_RETRY for network failures).
    HttpResponse fetch(const HttpRequest &request, std::chrono::milliseconds timeout) const {
        std::vector<helix_header> headers;
        headers.reserve(request.headers.size());
        for (const auto &[name, value] : request.headers) headers.push_back({str(name), str(value)});
        helix_http_request c{};
        c.struct_size = sizeof c;
        c.method = str(request.method);
        c.url = str(request.url);
        c.headers = headers.data();
        c.header_count = headers.size();
        c.body = str(request.body);
        HttpResponse result;
        helix_error err{};
        err.struct_size = sizeof err;
        const auto ms = timeout.count() < 0 ? 0 : timeout.count();
        const helix_status status = host_->http_fetch(
            host_->ctx, &c, static_cast<std::uint32_t>(std::min<long long>(ms, UINT32_MAX)),
            [](void *user, const helix_http_response *r) {
                auto *out = static_cast<HttpResponse *>(user);
                out->status = r->status;
                for (std::size_t i = 0; i < r->header_count; ++i)
                    out->headers.emplace_back(std::string(view(r->headers[i].name)),
                                              std::string(view(r->headers[i].value)));
                if (r->len > 0) out->body.assign(reinterpret_cast<const char *>(r->data), r->len);
            },
            &result, &err);
        if (status != HELIX_OK)
            throw Error(status, err.message, err.http_status, err.retry_after_ms, err.code, err.param);
        return result;
    }

    const helix_host *raw() const noexcept { return host_; }

private:
    const helix_host *host_;
};

// Where decode() and finish() send canonical events. Each method returns false
// once the host has asked to stop (the client went away); decoding may stop.
class EventSink {
public:
    explicit EventSink(const helix_event_sink *sink) noexcept : sink_(sink) {}

    bool start(std::string_view response_id, std::string_view model) {
        helix_event e = make(HELIX_EVENT_START, 0);
        e.response_id = str(response_id);
        e.model = str(model);
        return emit(e);
    }
    bool text(std::uint32_t choice, std::string_view text) {
        helix_event e = make(HELIX_EVENT_TEXT_DELTA, choice);
        e.text = str(text);
        return emit(e);
    }
    // The first delta of a call gives id and name; later ones only arguments.
    bool tool_call(std::uint32_t choice, std::uint32_t tool_index, std::string_view id,
                   std::string_view name, std::string_view arguments) {
        helix_event e = make(HELIX_EVENT_TOOL_CALL_DELTA, choice);
        e.tool_index = tool_index;
        e.tool_call_id = str(id);
        e.tool_name = str(name);
        e.tool_arguments = str(arguments);
        return emit(e);
    }
    bool finish(std::uint32_t choice, helix_finish_reason reason) {
        helix_event e = make(HELIX_EVENT_FINISH, choice);
        e.finish_reason = reason;
        return emit(e);
    }
    bool usage(std::int64_t prompt_tokens, std::int64_t completion_tokens, std::int64_t cached_tokens = 0) {
        helix_event e = make(HELIX_EVENT_USAGE, 0);
        e.prompt_tokens = prompt_tokens;
        e.completion_tokens = completion_tokens;
        e.cached_tokens = cached_tokens;
        return emit(e);
    }
    bool extra(std::uint32_t choice, std::string_view name, std::string_view json) {
        helix_event e = make(HELIX_EVENT_EXTRA, choice);
        e.name = str(name);
        e.json = str(json);
        return emit(e);
    }
    bool emit(const helix_event &event) {
        if (stopped_) return false;
        stopped_ = sink_->emit(sink_->ctx, &event) != 0;
        return !stopped_;
    }
    bool stopped() const noexcept { return stopped_; }

private:
    static helix_event make(helix_event_type type, std::uint32_t choice) noexcept {
        helix_event e{};
        e.struct_size = sizeof e;
        e.type = type;
        e.choice = choice;
        return e;
    }

    const helix_event_sink *sink_;
    bool stopped_ = false;
};

struct Model {
    std::string id;          // what clients write after "provider/"
    std::string upstream_id; // what goes upstream; empty = same as id
    std::uint32_t capabilities = HELIX_MODEL_STREAMING;
    std::int64_t context_window = 0;
};

// One upstream call. decode() receives the response as it arrives; finish()
// is called once at its end. Throw Error to fail the call.
class Call {
public:
    virtual ~Call() = default;
    virtual void decode(const helix_http_response &response, EventSink &sink) = 0;
    virtual void finish(EventSink &sink) = 0;
};

// One configured provider instance. prepare() may run on many threads at once
// unless the provider declares `static constexpr helix_thread_safety
// thread_safety = HELIX_THREADS_SERIALIZED;`.
class Provider {
public:
    explicit Provider(Host host) noexcept : host_(host) {}
    virtual ~Provider() = default;
    Provider(const Provider &) = delete;
    Provider &operator=(const Provider &) = delete;

    virtual std::vector<Model> models() const = 0;
    virtual std::unique_ptr<Call> prepare(const helix_chat_request &request, HttpRequest &out) = 0;
    // Cheap and without I/O; fill detail with a reason when not OK.
    virtual helix_health health(std::string &detail) const {
        (void)detail;
        return HELIX_HEALTH_OK;
    }

protected:
    const Host &host() const noexcept { return host_; }

private:
    Host host_;
};

namespace detail {

struct PluginBox {
    std::unique_ptr<Provider> provider;
    std::vector<Model> models;
    std::vector<helix_model_info> model_infos;
};

struct CallBox {
    std::unique_ptr<Call> call;
    HttpRequest request;
    std::vector<helix_header> header_views;
    bool failed = false;
};

inline PluginBox *unbox(helix_plugin *p) noexcept { return reinterpret_cast<PluginBox *>(p); }
inline CallBox *unbox(helix_call *c) noexcept { return reinterpret_cast<CallBox *>(c); }

template <class P> struct Adapter {
    static helix_plugin *create(const helix_host *host, helix_error *err) noexcept {
        PluginBox *box = nullptr;
        const helix_status s = guarded(err, [&] {
            auto owned = std::make_unique<PluginBox>();
            owned->provider = std::make_unique<P>(Host(host));
            box = owned.release();
        });
        return s == HELIX_OK ? reinterpret_cast<helix_plugin *>(box) : nullptr;
    }

    static void destroy(helix_plugin *plugin) noexcept { delete unbox(plugin); }

    static helix_status list_models(helix_plugin *plugin, const helix_model_info **models,
                                    std::size_t *count, helix_error *err) noexcept {
        PluginBox *box = unbox(plugin);
        return guarded(err, [&] {
            if (box->model_infos.empty()) {
                box->models = box->provider->models();
                for (const Model &m : box->models) {
                    helix_model_info info{};
                    info.struct_size = sizeof info;
                    info.id = str(m.id);
                    info.upstream_id = str(m.upstream_id.empty() ? m.id : m.upstream_id);
                    info.capabilities = m.capabilities;
                    info.context_window = m.context_window;
                    box->model_infos.push_back(info);
                }
            }
            *models = box->model_infos.data();
            *count = box->model_infos.size();
        });
    }

    static helix_status prepare(helix_plugin *plugin, const helix_chat_request *request, helix_call **call,
                                helix_http_request *out, helix_error *err) noexcept {
        *call = nullptr;
        return guarded(err, [&] {
            auto box = std::make_unique<CallBox>();
            box->call = unbox(plugin)->provider->prepare(*request, box->request);
            if (!box->call) throw Error(HELIX_ERR_INTERNAL, "prepare returned no call");
            for (const auto &[name, value] : box->request.headers)
                box->header_views.push_back({str(name), str(value)});
            *out = helix_http_request{};
            out->struct_size = sizeof *out;
            out->method = str(box->request.method);
            out->url = str(box->request.url);
            out->headers = box->header_views.data();
            out->header_count = box->header_views.size();
            out->body = str(box->request.body);
            out->streaming_response = box->request.streaming_response ? 1 : 0;
            *call = reinterpret_cast<helix_call *>(box.release());
        });
    }

    static helix_status decode(helix_call *call, const helix_http_response *response,
                               const helix_event_sink *sink, helix_error *err) noexcept {
        CallBox *box = unbox(call);
        if (box->failed) {
            fill_error(err, "decode called after the call failed");
            return HELIX_ERR_INTERNAL;
        }
        EventSink events(sink);
        const helix_status s = guarded(err, [&] { box->call->decode(*response, events); });
        box->failed = s != HELIX_OK;
        return s;
    }

    static helix_status finish(helix_call *call, const helix_event_sink *sink, helix_error *err) noexcept {
        CallBox *box = unbox(call);
        if (box->failed) {
            fill_error(err, "finish called after the call failed");
            return HELIX_ERR_INTERNAL;
        }
        EventSink events(sink);
        const helix_status s = guarded(err, [&] { box->call->finish(events); });
        box->failed = s != HELIX_OK;
        return s;
    }

    static void call_free(helix_call *call) noexcept { delete unbox(call); }

    static helix_health health(helix_plugin *plugin, helix_error *detail) noexcept {
        try {
            std::string reason;
            const helix_health h = unbox(plugin)->provider->health(reason);
            if (detail != nullptr && detail->struct_size >= sizeof(helix_error))
                copy_truncated(detail->message, reason);
            return h;
        } catch (...) {
            return HELIX_HEALTH_FAILING;
        }
    }

    static helix_status validate_config(helix_str config_json, helix_error *err) noexcept {
        return guarded(err, [&] { P::validate_config(view(config_json)); });
    }

    static constexpr helix_thread_safety thread_safety() noexcept {
        if constexpr (requires { P::thread_safety; })
            return P::thread_safety;
        else
            return HELIX_THREADS_CONCURRENT_CALLS;
    }

    static const helix_plugin_descriptor *descriptor(const char *name, const char *version) noexcept {
        static const helix_plugin_descriptor d = [&] {
            helix_plugin_descriptor x{};
            x.struct_size = sizeof x;
            x.abi_major = HELIX_ABI_MAJOR;
            x.abi_minor = HELIX_ABI_MINOR;
            x.name = name;
            x.version = version;
            x.thread_safety = thread_safety();
            x.create = &create;
            x.destroy = &destroy;
            x.list_models = &list_models;
            x.prepare = &prepare;
            x.decode = &decode;
            x.finish = &finish;
            x.call_free = &call_free;
            x.health = &health;
            // Optional: only when the provider has `static void validate_config(std::string_view)`.
            if constexpr (requires(std::string_view j) { P::validate_config(j); })
                x.validate_config = &validate_config;
            return x;
        }();
        return &d;
    }
};

} // namespace detail
} // namespace helix::sdk

// Exports the plugin's entry point. Use once per plugin, at namespace scope.
// The descriptor is returned whatever the host's version, so that the host can
// say precisely which versions disagree.
#define HELIX_PLUGIN(ProviderType, name, version)                                                      \
    extern "C" HELIX_PLUGIN_EXPORT_ATTR const helix_plugin_descriptor *helix_plugin_entry(             \
        std::uint32_t host_abi_major, std::uint32_t host_abi_minor) {                                  \
        (void)host_abi_major;                                                                          \
        (void)host_abi_minor;                                                                          \
        return ::helix::sdk::detail::Adapter<ProviderType>::descriptor(name, version);                 \
    }
