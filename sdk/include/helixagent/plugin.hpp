// HelixAgent plugin SDK: a header-only C++ layer over plugin_abi.h.
//
// A plugin author derives from helix::sdk::Provider (one per configured
// instance) and helix::sdk::Call (one per upstream call), then writes
//
//     HELIX_PLUGIN(MyProvider, "my_provider", "1.0.0")
//
// once in one source file. Everything here is compiled into the plugin, so the
// C++ types never cross the ABI: the adapter below converts to and from the C
// structs, negotiates the ABI version with the host and catches every
// exception at the edge.
//
// Nothing is optional by name: every hook is a pure virtual method or a
// required static member, so a misspelt or mistyped one is a compile error
// (an abstract class, or a static_assert naming the member), never a feature
// silently dropped.
#pragma once

#include <helixagent/plugin_abi.h>
#include <helixagent/saturating.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
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

// The elements of an ABI array of pointers (messages, parts, tool calls,
// tools, reasoning blocks, inputs) as references:
//     for (const helix_message &m : helix::sdk::items(r.messages, r.message_count))
template <class T> class Items {
public:
    Items(const T *const *items, std::size_t count) noexcept : items_(items), count_(items ? count : 0) {}
    class iterator {
    public:
        explicit iterator(const T *const *at) noexcept : at_(at) {}
        const T &operator*() const noexcept { return **at_; }
        iterator &operator++() noexcept {
            ++at_;
            return *this;
        }
        bool operator==(const iterator &) const noexcept = default;

    private:
        const T *const *at_;
    };
    iterator begin() const noexcept { return iterator(items_); }
    iterator end() const noexcept { return iterator(items_ + count_); }
    std::size_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    const T &operator[](std::size_t i) const noexcept { return *items_[i]; }

private:
    const T *const *items_;
    std::size_t count_;
};

template <class T> Items<T> items(const T *const *array, std::size_t count) noexcept { return {array, count}; }

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

// What a plugin throws when it would block on a thread that must not
// (Host::may_block() is false): prepare() returns HELIX_ERR_WOULD_BLOCK and
// the host calls it again on a worker thread.
inline Error would_block() { return Error(HELIX_ERR_WOULD_BLOCK, "this thread must not block"); }

namespace detail {

// A fixed-size C string from the other side, read no further than its buffer
// even when the writer forgot the terminating NUL.
template <std::size_t N> std::string bounded(const char (&src)[N]) { return std::string(src, strnlen(src, N)); }

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

// What a credential program run through Host::run_process wrote.
struct ProcessResult {
    int exit_code = 0;
    std::string out;
    std::string err; // may hold secrets: never log it as is
};

// The services the host gives this plugin instance.
class Host {
public:
    explicit Host(const helix_host *host) noexcept : host_(host) {}

    void log(helix_log_level level, std::string_view message) const noexcept {
        host_->log(host_->ctx, static_cast<std::uint32_t>(level), str(message));
    }

    std::int64_t now_unix_ms() const noexcept { return host_->now_unix_ms(host_->ctx); }

    std::string_view config_json() const noexcept { return view(host_->config_json(host_->ctx)); }

    // Whether this thread may block: false on the host's event loop, where
    // fetch() throws HELIX_ERR_WOULD_BLOCK. Code that would wait for another
    // thread's refresh asks first and throws would_block() instead.
    bool may_block() const noexcept {
        helix_error err{};
        err.struct_size = sizeof err;
        return host_->http_fetch(host_->ctx, nullptr, 0, nullptr, nullptr, &err) != HELIX_ERR_WOULD_BLOCK;
    }

    // Blocking side request through the host's transport. Throws Error when
    // the request could not be made (HELIX_ERR_RETRY for network failures,
    // HELIX_ERR_WOULD_BLOCK on a thread that must not block: rethrow that
    // one unchanged).
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
            throw Error(status, detail::bounded(err.message), err.http_status, err.retry_after_ms,
                        detail::bounded(err.code), detail::bounded(err.param));
        return result;
    }

    // Whether the host runs credential programs (run_process below).
    bool runs_processes() const noexcept {
        return host_->struct_size >= offsetof(helix_host, run_process) + sizeof host_->run_process &&
               host_->run_process != nullptr;
    }

    // Runs a credential program through the host and returns what it wrote
    // (plugins never start processes). Throws Error: HELIX_ERR_NOT_SUPPORTED
    // when the host runs none, HELIX_ERR_WOULD_BLOCK on a thread that must
    // not block (rethrow it unchanged), or the host's failure.
    ProcessResult run_process(std::string_view command, const std::vector<std::pair<std::string, std::string>> &env,
                              std::chrono::milliseconds timeout) const {
        if (!runs_processes()) throw Error(HELIX_ERR_NOT_SUPPORTED, "this host does not run credential programs");
        std::vector<helix_header> vars;
        vars.reserve(env.size());
        for (const auto &[name, value] : env) vars.push_back({str(name), str(value)});
        helix_process_request c{};
        c.struct_size = sizeof c;
        c.command = str(command);
        c.env = vars.data();
        c.env_count = vars.size();
        ProcessResult result;
        helix_error err{};
        err.struct_size = sizeof err;
        const auto ms = timeout.count() < 0 ? 0 : timeout.count();
        const helix_status status = host_->run_process(
            host_->ctx, &c, static_cast<std::uint32_t>(std::min<long long>(ms, UINT32_MAX)),
            [](void *user, const helix_process_result *r) {
                auto *out = static_cast<ProcessResult *>(user);
                out->exit_code = r->exit_code;
                out->out.assign(view(r->out));
                out->err.assign(view(r->err));
            },
            &result, &err);
        if (status != HELIX_OK)
            throw Error(status, detail::bounded(err.message), err.http_status, err.retry_after_ms,
                        detail::bounded(err.code), detail::bounded(err.param));
        return result;
    }

    const helix_host *raw() const noexcept { return host_; }

private:
    const helix_host *host_;
};

// Token counts of a USAGE event. cached_tokens are prompt tokens read from the
// prompt cache, cache_write_tokens those written to it, reasoning_tokens the
// part of completion_tokens spent on reasoning.
struct Usage {
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    std::int64_t cached_tokens = 0;
    std::int64_t cache_write_tokens = 0;
    std::int64_t reasoning_tokens = 0;
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
        e.finish_reason = static_cast<std::uint32_t>(reason);
        return emit(e);
    }
    bool usage(std::int64_t prompt_tokens, std::int64_t completion_tokens, std::int64_t cached_tokens = 0) {
        return usage(Usage{prompt_tokens, completion_tokens, cached_tokens, 0, 0});
    }
    bool usage(const Usage &u) {
        helix_event e = make(HELIX_EVENT_USAGE, 0);
        e.prompt_tokens = u.prompt_tokens;
        e.completion_tokens = u.completion_tokens;
        e.cached_tokens = u.cached_tokens;
        e.cache_write_tokens = u.cache_write_tokens;
        e.reasoning_tokens = u.reasoning_tokens;
        return emit(e);
    }
    bool extra(std::uint32_t choice, std::string_view name, std::string_view json) {
        helix_event e = make(HELIX_EVENT_EXTRA, choice);
        e.name = str(name);
        e.json = str(json);
        return emit(e);
    }
    // A piece of reasoning block `index` of a choice: text, signature and
    // redacted data deltas (opaque bytes, passed on unchanged).
    // `format` names the plugin's reasoning dialect (see helix_event).
    bool reasoning(std::uint32_t choice, std::uint32_t index, std::string_view text,
                   std::string_view signature = {}, std::string_view redacted_data = {},
                   std::string_view format = {}) {
        helix_event e = make(HELIX_EVENT_REASONING_DELTA, choice);
        e.reasoning_index = index;
        e.text = str(text);
        e.reasoning_signature = str(signature);
        e.reasoning_redacted_data = str(redacted_data);
        e.reasoning_format = str(format);
        return emit(e);
    }
    // The opaque signature of tool call `tool_index` (a TOOL_CALL_DELTA that
    // carries only it; the call's first delta may come before or after).
    bool tool_signature(std::uint32_t choice, std::uint32_t tool_index, std::string_view signature,
                        std::string_view format) {
        helix_event e = make(HELIX_EVENT_TOOL_CALL_DELTA, choice);
        e.tool_index = tool_index;
        e.tool_signature = str(signature);
        e.reasoning_format = str(format);
        return emit(e);
    }
    // The embedding of input `index`.
    bool embedding(std::uint32_t index, std::span<const float> vector) {
        helix_event e = make(HELIX_EVENT_EMBEDDING, 0);
        e.embedding_index = index;
        e.embedding = vector.data();
        e.embedding_len = vector.size();
        return emit(e);
    }
    // HELIX_OP_MESSAGES: one Anthropic object as the upstream sent it (an SSE
    // event's type and data; "message" and the whole reply; "count_tokens").
    bool messages(std::string_view name, std::string_view json) {
        helix_event e = make(HELIX_EVENT_MESSAGES, 0);
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
        e.type = static_cast<std::uint32_t>(type);
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
    std::uint32_t max_embedding_inputs = 0; // see helix_model_info
};

// One row of the plugin's settings table (see helix_setting). env lists the
// environment variables that fill the key, in order of precedence; they apply
// to the provider instance named env_provider.
struct Setting {
    const char *name = nullptr;
    helix_setting_type type = HELIX_SETTING_STRING;
    const char *description = nullptr;
    const char *default_value = nullptr;
    std::uint32_t flags = 0;
    std::array<const char *, 8> env{}; // unused entries stay NULL
    const char *env_provider = nullptr;
};

// One upstream call. decode() receives the response as it arrives; finish()
// is called once at its end. Throw Error to fail the call.
class Call {
public:
    virtual ~Call() = default;
    virtual void decode(const helix_http_response &response, EventSink &sink) = 0;
    virtual void finish(EventSink &sink) = 0;
};

// One configured provider instance. Every method is pure virtual, and
// HELIX_PLUGIN also requires these static members of the derived class:
//
//     static constexpr helix_thread_safety thread_safety = HELIX_THREADS_CONCURRENT_CALLS;
//     static void validate_config(std::string_view settings_json); // throws Error
//     static std::vector<helix::sdk::Setting> settings();          // the settings table
//
// prepare() runs on many threads at once unless thread_safety is
// HELIX_THREADS_SERIALIZED.
class Provider {
public:
    explicit Provider(Host host) noexcept : host_(host) {}
    virtual ~Provider() = default;
    Provider(const Provider &) = delete;
    Provider &operator=(const Provider &) = delete;

    virtual std::vector<Model> models() const = 0;
    virtual std::unique_ptr<Call> prepare(const helix_chat_request &request, HttpRequest &out) = 0;
    // Embeddings; a provider without them throws not_supported_embeddings().
    virtual std::unique_ptr<Call> prepare_embeddings(const helix_embeddings_request &request,
                                                     HttpRequest &out) = 0;
    // Anthropic's Messages API passed through (HELIX_OP_MESSAGES), for the
    // models a provider marks HELIX_MODEL_MESSAGES; the call emits
    // EventSink::messages() events. Not pure: a provider without it keeps
    // compiling, and the host translates /v1/messages onto prepare().
    virtual std::unique_ptr<Call> prepare_messages(const helix_messages_request &, HttpRequest &) {
        throw Error(HELIX_ERR_NOT_SUPPORTED, "this provider does not serve Anthropic's Messages API natively", 400,
                    0, "unsupported_operation", "model");
    }
    // OpenAI's legacy completions passed on (HELIX_OP_COMPLETIONS), for the
    // models a provider marks HELIX_MODEL_COMPLETIONS: request.original_body
    // is the client's /v1/completions body; the call emits the chat events.
    virtual std::unique_ptr<Call> prepare_completions(const helix_chat_request &, HttpRequest &) {
        throw Error(HELIX_ERR_NOT_SUPPORTED, "this provider does not serve legacy completions natively", 400, 0,
                    "unsupported_operation", "model");
    }
    // Cheap and without I/O; fill detail with a reason when not OK.
    virtual helix_health health(std::string &detail) const = 0;

protected:
    const Host &host() const noexcept { return host_; }
    // What prepare_embeddings() throws in a provider without embeddings.
    static Error not_supported_embeddings() {
        return Error(HELIX_ERR_NOT_SUPPORTED, "this provider does not serve embeddings", 400, 0,
                     "unsupported_operation", "model");
    }

private:
    Host host_;
};

namespace detail {

struct PluginBox {
    std::unique_ptr<Provider> provider;
    std::vector<Model> models;
    std::vector<helix_model_info> model_infos;
    std::vector<const helix_model_info *> model_pointers;
};

struct CallBox {
    std::unique_ptr<Call> call;
    HttpRequest request;
    std::vector<helix_header> header_views;
    bool failed = false;
};

inline PluginBox *unbox(helix_plugin *p) noexcept { return reinterpret_cast<PluginBox *>(p); }
inline CallBox *unbox(helix_call *c) noexcept { return reinterpret_cast<CallBox *>(c); }

[[noreturn]] inline void refuse_request(const std::string &what, const std::string &param) {
    throw Error(HELIX_ERR_INVALID_REQUEST, what, 400, 0, "invalid_value", param);
}

// Every element the plugin will read is at least as big as this plugin's
// struct (the host speaks this version or a newer minor), and no enumeration
// the host must set is 0 (a zeroed struct).
template <class T> void check_size(const T *item, const std::string &path) {
    if (item == nullptr) throw Error(HELIX_ERR_INTERNAL, "host passed a NULL " + path);
    if (item->struct_size < sizeof(T))
        throw Error(HELIX_ERR_INTERNAL, "host passed " + path + " with struct_size " +
                                            std::to_string(item->struct_size) + ", smaller than the " +
                                            std::to_string(sizeof(T)) + " bytes of this plugin's ABI");
}

inline void check_chat(const helix_chat_request &r) {
    check_size(&r, "request");
    for (std::size_t i = 0; i < r.message_count; ++i) {
        const std::string path = "messages[" + std::to_string(i) + "]";
        check_size(r.messages[i], path);
        const helix_message &m = *r.messages[i];
        if (m.role == HELIX_ROLE_UNSET || m.role > HELIX_ROLE_TOOL)
            refuse_request(path + ".role is " + std::to_string(m.role) + ", not a role this plugin knows", path + ".role");
        for (std::size_t j = 0; j < m.part_count; ++j) {
            const std::string part = path + ".content[" + std::to_string(j) + "]";
            check_size(m.parts[j], part);
            if (m.parts[j]->type == HELIX_PART_UNSET || m.parts[j]->type > HELIX_PART_DOCUMENT)
                refuse_request(part + ".type is " + std::to_string(m.parts[j]->type) +
                                   ", not a part type this plugin knows", part + ".type");
        }
        for (std::size_t j = 0; j < m.tool_call_count; ++j)
            check_size(m.tool_calls[j], path + ".tool_calls[" + std::to_string(j) + "]");
        for (std::size_t j = 0; j < m.reasoning_count; ++j)
            check_size(m.reasoning[j], path + ".reasoning[" + std::to_string(j) + "]");
    }
    for (std::size_t i = 0; i < r.tool_count; ++i) check_size(r.tools[i], "tools[" + std::to_string(i) + "]");
}

inline void check_embeddings(const helix_embeddings_request &r) {
    check_size(&r, "embeddings request");
    for (std::size_t i = 0; i < r.input_count; ++i) check_size(r.inputs[i], "input[" + std::to_string(i) + "]");
}

inline std::string version_text(std::uint32_t v) {
    return std::to_string(HELIX_VERSION_MAJOR(v)) + "." + std::to_string(HELIX_VERSION_MINOR(v));
}

template <class P> struct Adapter {
    static_assert(std::is_base_of_v<Provider, P>, "HELIX_PLUGIN: the provider type must derive from helix::sdk::Provider");
    static_assert(!std::is_abstract_v<P>,
                  "HELIX_PLUGIN: the provider does not override every pure virtual method of "
                  "helix::sdk::Provider (models, prepare, prepare_embeddings, health); check their names and "
                  "signatures, and mark them override");
    static_assert(std::is_constructible_v<P, Host>, "HELIX_PLUGIN: the provider needs a constructor taking helix::sdk::Host");
    static_assert(requires { { P::thread_safety } -> std::convertible_to<helix_thread_safety>; },
                  "HELIX_PLUGIN: the provider must declare `static constexpr helix_thread_safety thread_safety`");
    static_assert(requires(std::string_view j) { P::validate_config(j); },
                  "HELIX_PLUGIN: the provider must declare `static void validate_config(std::string_view)`");
    static_assert(requires { { P::settings() } -> std::convertible_to<std::vector<Setting>>; },
                  "HELIX_PLUGIN: the provider must declare `static std::vector<helix::sdk::Setting> settings()`");

    static helix_plugin *create(const helix_host *host, helix_error *err) noexcept {
        PluginBox *box = nullptr;
        const helix_status s = guarded(err, [&] {
            if (host == nullptr || host->struct_size < sizeof(helix_host))
                throw Error(HELIX_ERR_INTERNAL, "host table missing or smaller than this plugin's ABI");
            auto owned = std::make_unique<PluginBox>();
            owned->provider = std::make_unique<P>(Host(host));
            box = owned.release();
        });
        return s == HELIX_OK ? reinterpret_cast<helix_plugin *>(box) : nullptr;
    }

    static void destroy(helix_plugin *plugin) noexcept { delete unbox(plugin); }

    static helix_status list_models(helix_plugin *plugin, const helix_model_info *const **models,
                                    std::size_t *count, helix_error *err) noexcept {
        PluginBox *box = unbox(plugin);
        return guarded(err, [&] {
            if (box->model_infos.empty()) {
                box->models = box->provider->models();
                box->model_infos.reserve(box->models.size());
                for (const Model &m : box->models) {
                    helix_model_info info{};
                    info.struct_size = sizeof info;
                    info.id = str(m.id);
                    info.upstream_id = str(m.upstream_id.empty() ? m.id : m.upstream_id);
                    info.capabilities = m.capabilities;
                    info.context_window = m.context_window;
                    info.max_embedding_inputs = m.max_embedding_inputs;
                    box->model_infos.push_back(info);
                }
                for (const helix_model_info &info : box->model_infos) box->model_pointers.push_back(&info);
            }
            *models = box->model_pointers.data();
            *count = box->model_pointers.size();
        });
    }

    static helix_status prepare(helix_plugin *plugin, const helix_request *request, helix_call **call,
                                helix_http_request *out, helix_error *err) noexcept {
        *call = nullptr;
        return guarded(err, [&] {
            // The fields before `messages` (a host that never sends HELIX_OP_MESSAGES may stop there).
            if (request == nullptr || request->struct_size < offsetof(helix_request, messages))
                throw Error(HELIX_ERR_INTERNAL, "host passed a NULL or too small request");
            auto box = std::make_unique<CallBox>();
            Provider &provider = *unbox(plugin)->provider;
            switch (request->operation) {
            case HELIX_OP_CHAT:
                check_chat(*request->chat);
                box->call = provider.prepare(*request->chat, box->request);
                break;
            case HELIX_OP_EMBEDDINGS:
                check_embeddings(*request->embeddings);
                box->call = provider.prepare_embeddings(*request->embeddings, box->request);
                break;
            case HELIX_OP_COMPLETIONS:
                check_chat(*request->chat);
                box->call = provider.prepare_completions(*request->chat, box->request);
                break;
            case HELIX_OP_MESSAGES:
                check_size(request, "request");
                check_size(request->messages, "messages request");
                box->call = provider.prepare_messages(*request->messages, box->request);
                break;
            default:
                throw Error(HELIX_ERR_NOT_SUPPORTED,
                            "operation " + std::to_string(request->operation) + " is not one this plugin knows", 400,
                            0, "unsupported_operation");
            }
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

    static std::uint32_t health(helix_plugin *plugin, helix_error *detail) noexcept {
        try {
            std::string reason;
            const helix_health h = unbox(plugin)->provider->health(reason);
            if (detail != nullptr && detail->struct_size >= sizeof(helix_error))
                copy_truncated(detail->message, reason);
            return static_cast<std::uint32_t>(h == HELIX_HEALTH_UNSET ? HELIX_HEALTH_FAILING : h);
        } catch (...) {
            return HELIX_HEALTH_FAILING;
        }
    }

    static helix_status validate_config(helix_str config_json, helix_error *err) noexcept {
        return guarded(err, [&] { P::validate_config(view(config_json)); });
    }

    // The settings table in C form, built once (static storage, as the ABI asks).
    struct SettingsTable {
        std::vector<Setting> rows;
        std::vector<std::array<const char *, 9>> env_lists; // each NULL-terminated, as the ABI asks
        std::vector<helix_setting> c_rows;
        std::vector<const helix_setting *> pointers;
    };
    static const SettingsTable &settings_table() {
        static const SettingsTable table = [] {
            SettingsTable t;
            t.rows = P::settings();
            t.env_lists.reserve(t.rows.size()); // element addresses are handed out below
            for (const Setting &s : t.rows) {
                auto &env = t.env_lists.emplace_back();
                env.fill(nullptr);
                std::copy(s.env.begin(), s.env.end(), env.begin());
                helix_setting c{};
                c.struct_size = sizeof c;
                c.type = static_cast<std::uint32_t>(s.type);
                c.flags = s.flags;
                c.name = s.name;
                c.default_value = s.default_value;
                c.description = s.description;
                c.env = env[0] != nullptr ? env.data() : nullptr;
                c.env_provider = s.env_provider;
                t.c_rows.push_back(c);
            }
            for (const helix_setting &c : t.c_rows) t.pointers.push_back(&c);
            return t;
        }();
        return table;
    }

    static const helix_plugin_descriptor *descriptor(const char *name, const char *version) noexcept {
        static const helix_plugin_descriptor d = [&] {
            helix_plugin_descriptor x{};
            x.struct_size = sizeof x;
            x.abi_major = HELIX_ABI_MAJOR;
            x.abi_minor = HELIX_ABI_MINOR;
            x.name = name;
            x.version = version;
            x.thread_safety = static_cast<std::uint32_t>(P::thread_safety);
            x.create = &create;
            x.destroy = &destroy;
            x.list_models = &list_models;
            x.prepare = &prepare;
            x.decode = &decode;
            x.finish = &finish;
            x.call_free = &call_free;
            x.health = &health;
            x.validate_config = &validate_config;
            const SettingsTable &table = settings_table();
            x.settings = table.pointers.data();
            x.setting_count = table.pointers.size();
            return x;
        }();
        return &d;
    }

    // This plugin speaks exactly the version it was built against; it accepts
    // a host whose range contains it (a newer host keeps older minors working).
    static helix_status negotiate(const helix_negotiate_info *info, helix_negotiate_result *result,
                                  helix_error *err, const char *name, const char *version) noexcept {
        if (info == nullptr || result == nullptr || info->struct_size < sizeof *info ||
            result->struct_size < sizeof *result) {
            fill_error(err, "negotiate needs the host's range and a result struct of this ABI's size");
            return HELIX_ERR_INTERNAL;
        }
        if (info->min_version > HELIX_ABI_VERSION || info->max_version < HELIX_ABI_VERSION) {
            std::string advice = info->max_version < HELIX_ABI_VERSION ? "upgrade helixagentd" : "rebuild the plugin against a newer SDK";
            fill_error(err, std::string("plugin ") + name + " " + version + " speaks ABI " +
                                version_text(HELIX_ABI_VERSION) + "; the host offers " +
                                version_text(info->min_version) + " to " + version_text(info->max_version) +
                                "; " + advice);
            return HELIX_ERR_VERSION;
        }
        result->version = HELIX_ABI_VERSION;
        result->descriptor = descriptor(name, version);
        return HELIX_OK;
    }
};

} // namespace detail
} // namespace helix::sdk

// Exports the plugin's entry points. Use once per plugin, at namespace scope.
// helix_plugin_negotiate is what a 2.x host calls; helix_plugin_entry answers a
// 1.x host with this descriptor, whose version the old host then refuses by
// name ("host expects 1.x, plugin was built for 2.0").
#define HELIX_PLUGIN(ProviderType, name, version)                                                      \
    extern "C" HELIX_PLUGIN_EXPORT_ATTR helix_status helix_plugin_negotiate(                           \
        const helix_negotiate_info *info, helix_negotiate_result *result, helix_error *err) {          \
        return ::helix::sdk::detail::Adapter<ProviderType>::negotiate(info, result, err, name, version); \
    }                                                                                                  \
    extern "C" HELIX_PLUGIN_EXPORT_ATTR const helix_plugin_descriptor *helix_plugin_entry(             \
        std::uint32_t host_abi_major, std::uint32_t host_abi_minor) {                                  \
        (void)host_abi_major;                                                                          \
        (void)host_abi_minor;                                                                          \
        return ::helix::sdk::detail::Adapter<ProviderType>::descriptor(name, version);                 \
    }
