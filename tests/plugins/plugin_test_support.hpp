#pragma once
// Test support for provider plugins: an owning builder of canonical requests,
// a fake host, and a driver that runs a plugin through its C descriptor
// (helix_plugin_entry, linked into the test) the way the host does: create,
// prepare, decode the body in chunks (whole, byte by byte, random sizes),
// finish. The chunking, the feeding and the event record are the plugin
// testkit's (tools/plugin_testkit), shared with helixagent-plugin-check.

#include "tools/plugin_testkit/event_log.hpp"
#include "tools/plugin_testkit/reply_feeder.hpp"

#include <helixagent/plugin_abi.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <sstream>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" const helix_plugin_descriptor *helix_plugin_entry(std::uint32_t, std::uint32_t);

namespace helix::test {

inline helix_str hs(const std::string &s) { return helix_str{s.data(), s.size()}; }
inline std::string sv(helix_str s) { return s.len == 0 ? std::string() : std::string(s.data, s.len); }

// ---------------------------------------------------------------------------
// Canonical requests

struct Part {
    helix_part_type type = HELIX_PART_TEXT;
    std::string text;
    std::string image_url;
    std::string detail;
    std::uint32_t cache_control = {}; // HELIX_CACHE_*
    // HELIX_PART_DOCUMENT: its source, media type, bytes or URI, file name.
    std::uint32_t source = {};
    std::string media_type = {};
    std::string data = {};
    std::string uri = {};
    std::string filename = {};
    static Part txt(std::string t) { return Part{HELIX_PART_TEXT, std::move(t), {}, {}}; }
    static Part image(std::string url, std::string detail = {}) {
        return Part{HELIX_PART_IMAGE_URL, {}, std::move(url), std::move(detail)};
    }
    static Part document_bytes(std::string media_type, std::string bytes, std::string filename = {}) {
        Part p{HELIX_PART_DOCUMENT, {}, {}, {}};
        p.source = HELIX_SOURCE_BYTES;
        p.media_type = std::move(media_type);
        p.data = std::move(bytes);
        p.filename = std::move(filename);
        return p;
    }
    static Part document_uri(std::uint32_t source, std::string uri, std::string media_type = {}) {
        Part p{HELIX_PART_DOCUMENT, {}, {}, {}};
        p.source = source;
        p.uri = std::move(uri);
        p.media_type = std::move(media_type);
        return p;
    }
};

struct ToolCall {
    std::string id, name, arguments;
    std::string signature = {};
};

struct Reasoning {
    helix_reasoning_kind kind = HELIX_REASONING_TEXT;
    std::string text, signature, redacted_data;
    std::string format = {};
};

struct Message {
    helix_role role = HELIX_ROLE_USER;
    std::string text;
    bool use_parts = false;
    std::vector<Part> parts;
    std::vector<ToolCall> tool_calls;
    std::string tool_call_id;
    std::string name;
    std::vector<Reasoning> reasoning = {};
    std::uint32_t cache_control = {}; // HELIX_CACHE_*

    static Message system(std::string t) { return Message{HELIX_ROLE_SYSTEM, std::move(t), false, {}, {}, {}, {}, {}}; }
    static Message developer(std::string t) { return Message{HELIX_ROLE_DEVELOPER, std::move(t), false, {}, {}, {}, {}, {}}; }
    static Message user(std::string t) { return Message{HELIX_ROLE_USER, std::move(t), false, {}, {}, {}, {}, {}}; }
    static Message user_parts(std::vector<Part> p) { return Message{HELIX_ROLE_USER, {}, true, std::move(p), {}, {}, {}, {}}; }
    static Message assistant(std::string t, std::vector<ToolCall> calls = {}) {
        return Message{HELIX_ROLE_ASSISTANT, std::move(t), false, {}, std::move(calls), {}, {}, {}};
    }
    static Message tool(std::string id, std::string t) {
        return Message{HELIX_ROLE_TOOL, std::move(t), false, {}, {}, std::move(id), {}, {}};
    }
};

struct Tool {
    std::string name, description, parameters_json;
    bool strict = false;
    std::uint32_t cache_control = {}; // HELIX_CACHE_*
};

// Owns everything a helix_chat_request points to. view() stays valid until
// the Request is changed or destroyed.
struct Request {
    std::string model = "gpt-4o";
    std::vector<Message> messages;
    std::vector<Tool> tools;
    helix_tool_choice tool_choice = HELIX_TOOL_CHOICE_UNSET;
    std::string tool_choice_name;
    int parallel_tool_calls = -1;
    bool stream = false;
    bool include_usage = false;
    std::uint32_t present = 0;
    std::int64_t max_tokens = 0;
    double temperature = 0;
    double top_p = 0;
    std::int64_t seed = 0;
    std::vector<std::string> stop;
    std::uint32_t n = 1;
    helix_response_format response_format = HELIX_FORMAT_UNSET;
    std::string response_schema_json;
    std::string user;
    std::string original_body;
    helix_reasoning_effort reasoning_effort = HELIX_EFFORT_UNSET;
    std::int64_t reasoning_budget_tokens = 0;

    const helix_chat_request &view() {
        parts_.clear();
        calls_.clear();
        msgs_.clear();
        tools_.clear();
        stops_.clear();
        parts_.resize(messages.size());
        calls_.resize(messages.size());
        reasoning_.assign(messages.size(), {});
        part_ptrs_.assign(messages.size(), {});
        call_ptrs_.assign(messages.size(), {});
        reasoning_ptrs_.assign(messages.size(), {});
        for (std::size_t i = 0; i < messages.size(); ++i) {
            for (const Part &p : messages[i].parts) {
                helix_content_part c{};
                c.struct_size = sizeof c;
                c.type = p.type;
                c.text = hs(p.text);
                c.image_url = hs(p.image_url);
                c.detail = hs(p.detail);
                c.cache_control = p.cache_control;
                c.source = p.source;
                c.media_type = hs(p.media_type);
                c.data = p.data.empty() ? nullptr : reinterpret_cast<const std::uint8_t *>(p.data.data());
                c.data_len = p.data.size();
                c.uri = hs(p.uri);
                c.filename = hs(p.filename);
                parts_[i].push_back(c);
            }
            for (const ToolCall &t : messages[i].tool_calls) {
                helix_tool_call c{};
                c.struct_size = sizeof c;
                c.id = hs(t.id);
                c.name = hs(t.name);
                c.arguments = hs(t.arguments);
                c.signature = hs(t.signature);
                calls_[i].push_back(c);
            }
            for (const Reasoning &b : messages[i].reasoning) {
                helix_reasoning_block c{};
                c.struct_size = sizeof c;
                c.kind = b.kind;
                c.text = hs(b.text);
                c.signature = hs(b.signature);
                c.redacted_data = hs(b.redacted_data);
                c.format = hs(b.format);
                reasoning_[i].push_back(c);
            }
        }
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const Message &m = messages[i];
            helix_message c{};
            c.struct_size = sizeof c;
            c.role = m.role;
            c.name = hs(m.name);
            c.text = hs(m.text);
            c.parts = m.use_parts ? pointers(parts_[i], part_ptrs_[i]) : nullptr;
            c.part_count = m.use_parts ? parts_[i].size() : 0;
            c.tool_calls = calls_[i].empty() ? nullptr : pointers(calls_[i], call_ptrs_[i]);
            c.tool_call_count = calls_[i].size();
            c.tool_call_id = hs(m.tool_call_id);
            c.reasoning = reasoning_[i].empty() ? nullptr : pointers(reasoning_[i], reasoning_ptrs_[i]);
            c.reasoning_count = reasoning_[i].size();
            c.cache_control = m.cache_control;
            msgs_.push_back(c);
        }
        for (const Tool &t : tools) {
            helix_tool c{};
            c.struct_size = sizeof c;
            c.name = hs(t.name);
            c.description = hs(t.description);
            c.parameters_json = hs(t.parameters_json);
            c.strict = t.strict ? 1 : 0;
            c.cache_control = t.cache_control;
            tools_.push_back(c);
        }
        for (const std::string &s : stop) stops_.push_back(hs(s));
        r_ = helix_chat_request{};
        r_.struct_size = sizeof r_;
        r_.model = hs(model);
        r_.messages = pointers(msgs_, msg_ptrs_);
        r_.message_count = msgs_.size();
        r_.tools = tools_.empty() ? nullptr : pointers(tools_, tool_ptrs_);
        r_.tool_count = tools_.size();
        r_.tool_choice = tool_choice;
        r_.tool_choice_name = hs(tool_choice_name);
        r_.parallel_tool_calls = parallel_tool_calls;
        r_.stream = stream ? 1 : 0;
        r_.include_usage = include_usage ? 1 : 0;
        r_.present = present;
        r_.max_tokens = max_tokens;
        r_.temperature = temperature;
        r_.top_p = top_p;
        r_.seed = seed;
        r_.stop = stops_.empty() ? nullptr : stops_.data();
        r_.stop_count = stops_.size();
        r_.n = n;
        r_.response_format = response_format;
        r_.response_schema_json = hs(response_schema_json);
        r_.user = hs(user);
        r_.original_body = hs(original_body);
        r_.reasoning_effort = reasoning_effort;
        r_.reasoning_budget_tokens = reasoning_budget_tokens;
        return r_;
    }

private:
    std::vector<std::vector<helix_content_part>> parts_;
    std::vector<std::vector<helix_tool_call>> calls_;
    std::vector<std::vector<helix_reasoning_block>> reasoning_;
    std::vector<helix_message> msgs_;
    std::vector<helix_tool> tools_;
    // The ABI's arrays of pointers into the vectors above.
    std::vector<std::vector<const helix_content_part *>> part_ptrs_;
    std::vector<std::vector<const helix_tool_call *>> call_ptrs_;
    std::vector<std::vector<const helix_reasoning_block *>> reasoning_ptrs_;
    std::vector<const helix_message *> msg_ptrs_;
    std::vector<const helix_tool *> tool_ptrs_;
    template <class T> static const T *const *pointers(const std::vector<T> &items, std::vector<const T *> &out) {
        out.clear();
        for (const T &item : items) out.push_back(&item);
        return out.data();
    }
    std::vector<helix_str> stops_;
    helix_chat_request r_{};
};

// ---------------------------------------------------------------------------
// The host

struct Header {
    std::string name, value;
};

// A side request a plugin made through http_fetch, and the reply a test gives.
struct FetchedRequest {
    std::string method, url, body;
    std::vector<Header> headers;
    std::string header(std::string_view name) const {
        for (const auto &h : headers)
            if (h.name == name) return h.value;
        return {};
    }
};
struct FetchReply {
    int status = 200;
    std::string body;
    std::vector<Header> headers = {};
};

// What a credential program run through run_process printed (or the host's failure).
struct ProcessReply {
    int exit_code = 0;
    std::string out;
    std::string err = {};
    helix_status status = HELIX_OK;
};

struct FakeHost {
    std::string config = "{}";
    std::int64_t now_ms = 1700000000000; // 2023-11-14T22:13:20Z
    std::vector<std::string> logs;
    // Side requests: recorded, answered by `responder` (unset: not supported).
    std::vector<FetchedRequest> fetched;
    std::function<FetchReply(const FetchedRequest &)> responder;
    // Credential programs (run_process): the command lines asked for, answered
    // by `processor` (unset: the host runs none).
    std::vector<std::string> processes;
    std::vector<std::vector<std::pair<std::string, std::string>>> process_envs; // the extra variables of each
    std::vector<std::uint32_t> process_timeouts_ms;
    std::function<ProcessReply(const std::string &command)> processor;
    // Like the host's event loop: http_fetch and run_process refuse with HELIX_ERR_WOULD_BLOCK.
    bool on_loop = false;
    helix_host host{};

    explicit FakeHost(std::string config_json = "{}") : config(std::move(config_json)) {
        host.struct_size = sizeof host;
        host.abi_major = HELIX_ABI_MAJOR;
        host.abi_minor = HELIX_ABI_MINOR;
        host.ctx = this;
        host.log = [](void *ctx, std::uint32_t, helix_str msg) { static_cast<FakeHost *>(ctx)->logs.push_back(sv(msg)); };
        host.http_fetch = [](void *ctx, const helix_http_request *request, std::uint32_t, helix_fetch_callback done,
                             void *user, helix_error *) -> helix_status {
            auto *self = static_cast<FakeHost *>(ctx);
            if (self->on_loop) return HELIX_ERR_WOULD_BLOCK;
            if (request == nullptr || done == nullptr) return HELIX_ERR_INTERNAL;
            if (!self->responder) return HELIX_ERR_NOT_SUPPORTED;
            FetchedRequest f{sv(request->method), sv(request->url), sv(request->body), {}};
            for (std::size_t i = 0; i < request->header_count; ++i)
                f.headers.push_back({sv(request->headers[i].name), sv(request->headers[i].value)});
            self->fetched.push_back(f);
            const FetchReply reply = self->responder(f);
            std::vector<helix_header> headers;
            for (const Header &h : reply.headers) headers.push_back({hs(h.name), hs(h.value)});
            helix_http_response r{};
            r.struct_size = sizeof r;
            r.status = reply.status;
            r.headers = headers.empty() ? nullptr : headers.data();
            r.header_count = headers.size();
            r.data = reinterpret_cast<const std::uint8_t *>(reply.body.data());
            r.len = reply.body.size();
            done(user, &r);
            return HELIX_OK;
        };
        host.now_unix_ms = [](void *ctx) { return static_cast<FakeHost *>(ctx)->now_ms; };
        host.config_json = [](void *ctx) { return hs(static_cast<FakeHost *>(ctx)->config); };
        host.run_process = [](void *ctx, const helix_process_request *request, std::uint32_t timeout_ms,
                              helix_process_callback done, void *user, helix_error *) -> helix_status {
            auto *self = static_cast<FakeHost *>(ctx);
            if (self->on_loop) return HELIX_ERR_WOULD_BLOCK;
            if (request == nullptr || done == nullptr) return HELIX_ERR_INTERNAL;
            if (!self->processor) return HELIX_ERR_NOT_SUPPORTED;
            self->processes.push_back(sv(request->command));
            auto &env = self->process_envs.emplace_back();
            for (std::size_t i = 0; i < request->env_count; ++i)
                env.emplace_back(sv(request->env[i].name), sv(request->env[i].value));
            self->process_timeouts_ms.push_back(timeout_ms);
            const ProcessReply reply = self->processor(self->processes.back());
            if (reply.status != HELIX_OK) return reply.status;
            helix_process_result r{};
            r.struct_size = sizeof r;
            r.exit_code = reply.exit_code;
            r.out = hs(reply.out);
            r.err = hs(reply.err);
            done(user, &r);
            return HELIX_OK;
        };
    }
    FakeHost(const FakeHost &) = delete;
    FakeHost &operator=(const FakeHost &) = delete;
};

inline helix_error make_error() {
    helix_error e{};
    e.struct_size = sizeof e;
    return e;
}

// ---------------------------------------------------------------------------
// Events

// The helix_request prepare() takes, for one chat request (valid while r is).
inline const helix_request &chat_request(const helix_chat_request &r) {
    thread_local helix_request wrapped{};
    wrapped = helix_request{};
    wrapped.struct_size = sizeof wrapped;
    wrapped.operation = HELIX_OP_CHAT;
    wrapped.chat = &r;
    return wrapped;
}

// Owns everything a helix_embeddings_request points to: `texts`, or token
// inputs when `tokens` is not empty. view() stays valid until it is changed.
struct EmbeddingsRequest {
    std::string model = "text-embedding-3-small";
    std::vector<std::string> texts;
    std::vector<std::vector<std::int64_t>> tokens;
    std::uint32_t dimensions = 0;
    helix_embedding_encoding encoding = HELIX_ENCODING_FLOAT;
    std::string user;

    const helix_embeddings_request &view() {
        inputs_.clear();
        ptrs_.clear();
        for (const auto &t : texts) {
            helix_embedding_input in{};
            in.struct_size = sizeof in;
            in.text = hs(t);
            inputs_.push_back(in);
        }
        for (const auto &ids : tokens) {
            helix_embedding_input in{};
            in.struct_size = sizeof in;
            in.tokens = ids.data();
            in.token_count = ids.size();
            inputs_.push_back(in);
        }
        for (const auto &in : inputs_) ptrs_.push_back(&in);
        r_ = helix_embeddings_request{};
        r_.struct_size = sizeof r_;
        r_.model = hs(model);
        r_.inputs = ptrs_.data();
        r_.input_count = ptrs_.size();
        r_.dimensions = dimensions;
        r_.encoding = encoding;
        r_.user = hs(user);
        wrapped_ = helix_request{};
        wrapped_.struct_size = sizeof wrapped_;
        wrapped_.operation = HELIX_OP_EMBEDDINGS;
        wrapped_.embeddings = &r_;
        return r_;
    }
    const helix_request &request() {
        view();
        return wrapped_;
    }

private:
    std::vector<helix_embedding_input> inputs_;
    std::vector<const helix_embedding_input *> ptrs_;
    helix_embeddings_request r_{};
    helix_request wrapped_{};
};

// A legacy completion as the host hands it to a model that serves it: the
// chat translation (which such a model does not read) and the client's own
// body, wrapped as HELIX_OP_COMPLETIONS. outer stays valid while this lives.
struct CompletionRequest {
    Request r;
    helix_request outer{};
    CompletionRequest(const CompletionRequest &) = delete; // outer points into this object
    CompletionRequest &operator=(const CompletionRequest &) = delete;
    CompletionRequest(std::string model, std::string body, bool stream) {
        r.model = std::move(model);
        r.stream = stream;
        r.messages = {Message::user("hello")};
        r.original_body = std::move(body);
        outer.struct_size = sizeof outer;
        outer.operation = HELIX_OP_COMPLETIONS;
        outer.chat = &r.view();
    }
};

using plugin_testkit::describe;
using plugin_testkit::finish_name;
using plugin_testkit::join;
using Recorder = plugin_testkit::EventLog;

// ---------------------------------------------------------------------------
// Driving a plugin


using plugin_testkit::Chunking;
using plugin_testkit::Cut;
using plugin_testkit::every_cut;
using plugin_testkit::split;

// What one upstream call produced: the event lines, and where it failed.
struct Outcome {
    std::string events; // join()ed lines
    helix_status status = HELIX_OK;
    bool failed_in_finish = false;
    int http_status = 0;
    std::uint32_t retry_after_ms = 0;
    std::string code, param, message;

    // Everything but the split point, for comparing runs with different chunking.
    std::string summary() const {
        std::ostringstream o;
        o << events << "status=" << status << " http=" << http_status << " retry=" << retry_after_ms << " code=" << code
          << " param=" << param << " message=" << message;
        return o.str();
    }
};

// The upstream request prepare() made, copied out of the plugin's memory.
struct Prepared {
    helix_status status = HELIX_OK;
    helix_error error{};
    std::string method, url, body;
    std::vector<Header> headers;
    bool streaming = false;
    helix_call *call = nullptr;

    std::string header(std::string_view name) const {
        for (const auto &h : headers) {
            if (h.name.size() != name.size()) continue;
            bool same = true;
            for (std::size_t i = 0; i < name.size(); ++i)
                same = same && std::tolower(static_cast<unsigned char>(h.name[i])) ==
                                   std::tolower(static_cast<unsigned char>(name[i]));
            if (same) return h.value;
        }
        return {};
    }
    bool has_header(std::string_view name) const {
        for (const auto &h : headers)
            if (h.name.size() == name.size() && std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                }))
                return true;
        return false;
    }
    boost::json::object json() const { return boost::json::parse(body).as_object(); }
};

// One plugin instance created through the descriptor.
class Harness {
public:
    explicit Harness(std::string config_json = "{}") : host_(std::move(config_json)) {
        descriptor_ = helix_plugin_entry(HELIX_ABI_MAJOR, HELIX_ABI_MINOR);
        helix_error err = make_error();
        plugin_ = descriptor_->create(&host_.host, &err);
        create_error_ = err;
    }
    ~Harness() {
        if (plugin_ != nullptr) descriptor_->destroy(plugin_);
    }
    Harness(const Harness &) = delete;
    Harness &operator=(const Harness &) = delete;

    const helix_plugin_descriptor &descriptor() const { return *descriptor_; }
    helix_plugin *plugin() const { return plugin_; }
    const helix_error &create_error() const { return create_error_; }
    FakeHost &host() { return host_; }

    // The model list (list_models), copied; empty when it fails.
    std::vector<helix_model_info> models() const {
        const helix_model_info *const *list = nullptr;
        std::size_t count = 0;
        helix_error err = make_error();
        std::vector<helix_model_info> out;
        if (descriptor_->list_models(plugin_, &list, &count, &err) != HELIX_OK) return out;
        for (std::size_t i = 0; i < count; ++i) out.push_back(*list[i]);
        return out;
    }
    const helix_model_info *model(const std::string &id) const {
        thread_local std::vector<helix_model_info> kept;
        kept = models();
        for (const auto &m : kept)
            if (sv(m.id) == id) return &m;
        return nullptr;
    }

    Prepared prepare(Request &request) { return prepare(chat_request(request.view())); }
    Prepared prepare(EmbeddingsRequest &request) { return prepare(request.request()); }

    Prepared prepare(const helix_request &request) {
        Prepared p;
        p.error = make_error();
        helix_http_request out{};
        p.status = descriptor_->prepare(plugin_, &request, &p.call, &out, &p.error);
        if (p.status != HELIX_OK) return p;
        p.method = sv(out.method);
        p.url = sv(out.url);
        p.body = sv(out.body);
        for (std::size_t i = 0; i < out.header_count; ++i)
            p.headers.push_back({sv(out.headers[i].name), sv(out.headers[i].value)});
        p.streaming = out.streaming_response != 0;
        return p;
    }

    // prepare()s request, then feeds `body` with this status and headers.
    template <class R>
    Outcome run(R &request, int status, const std::vector<Header> &headers, std::string_view body,
                Chunking how = Chunking::whole, unsigned seed = 1) {
        Prepared p = prepare(request);
        Outcome o;
        if (p.status != HELIX_OK) {
            o.status = p.status;
            o.message = p.error.message;
            return o;
        }
        o = feed(p.call, status, headers, body, how, seed);
        descriptor_->call_free(p.call);
        return o;
    }

    Outcome feed(helix_call *call, int status, const std::vector<Header> &headers, std::string_view body, Chunking how,
                 unsigned seed = 1) {
        std::vector<helix_header> head;
        for (const auto &h : headers) head.push_back({hs(h.name), hs(h.value)});
        Recorder events;
        const plugin_testkit::FedReply fed = plugin_testkit::feed_reply(
            status, head, body, how, seed,
            [&](const helix_http_response &r, helix_error &err) {
                return descriptor_->decode(call, &r, &events.sink(), &err);
            },
            [&](helix_error &err) { return descriptor_->finish(call, &events.sink(), &err); });
        Outcome o;
        o.events = join(events.lines());
        o.status = fed.status;
        o.failed_in_finish = fed.failed_in_finish;
        if (fed.status != HELIX_OK) {
            o.http_status = fed.error.http_status;
            o.retry_after_ms = fed.error.retry_after_ms;
            o.code = fed.error.code;
            o.param = fed.error.param;
            o.message = fed.error.message;
        }
        return o;
    }

private:
    FakeHost host_;
    const helix_plugin_descriptor *descriptor_ = nullptr;
    helix_plugin *plugin_ = nullptr;
    helix_error create_error_{};
};

inline const std::vector<Header> &sse_headers() {
    static const std::vector<Header> h{{"Content-Type", "text/event-stream; charset=utf-8"}};
    return h;
}
inline const std::vector<Header> &json_headers() {
    static const std::vector<Header> h{{"Content-Type", "application/json"}};
    return h;
}

} // namespace helix::test
