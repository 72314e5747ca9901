#include "tools/plugin_check/plugin_checker.hpp"

#include "tools/plugin_check/canned_replies.hpp"
#include "tools/plugin_check/canonical_requests.hpp"
#include "tools/plugin_testkit/event_log.hpp"
#include "tools/plugin_testkit/reply_feeder.hpp"

#include "daemon/config/syntax.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <thread>

namespace helix::plugin_check {

namespace {

// No network: a side request (token exchange, instance metadata) is refused,
// so a plugin under check needs static credentials in its settings.
class NoSideRequests final : public plugins::SideRequestClient {
public:
    helix_status fetch(const helix_http_request &, std::chrono::milliseconds, helix_fetch_callback, void *,
                       helix_error *err) override {
        if (err != nullptr)
            std::snprintf(err->message, sizeof err->message,
                          "helixagent-plugin-check makes no side requests; give static credentials in --settings");
        return HELIX_ERR_RETRY;
    }
};

// A fixed clock, so signatures and timestamps are the same on every thread.
constexpr std::int64_t fixed_unix_ms = 1'700'000'000'000;

std::string str(helix_str s) { return s.data == nullptr || s.len == 0 ? std::string() : std::string(s.data, s.len); }

const char *status_name(helix_status s) {
    switch (s) {
    case HELIX_OK: return "OK";
    case HELIX_ERR_INVALID_REQUEST: return "INVALID_REQUEST";
    case HELIX_ERR_NOT_SUPPORTED: return "NOT_SUPPORTED";
    case HELIX_ERR_RETRY: return "RETRY";
    case HELIX_ERR_AUTH: return "AUTH";
    case HELIX_ERR_UPSTREAM: return "UPSTREAM";
    case HELIX_ERR_PROTOCOL: return "PROTOCOL";
    case HELIX_ERR_CONFIG: return "CONFIG";
    case HELIX_ERR_INTERNAL: return "INTERNAL";
    }
    return "unknown status";
}

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// Secret-looking string values of the settings (keys named like key, token, ...).
void collect_secrets(const boost::json::value &v, const std::string &key, std::vector<std::string> &out) {
    if (v.is_object()) {
        for (const auto &[k, child] : v.as_object()) collect_secrets(child, std::string(k), out);
    } else if (v.is_array()) {
        for (const auto &child : v.as_array()) collect_secrets(child, key, out);
    } else if (v.is_string() && config::is_secret_name(key) && v.as_string().size() >= 4) {
        out.emplace_back(v.as_string());
    }
}

// What a plugin's error must look like, whatever went wrong.
std::string error_problem(const plugins::PluginFailure &f, const std::vector<std::string> &secrets) {
    const helix_error &e = f.error;
    if (std::memchr(e.message, '\0', sizeof e.message) == nullptr) return "error message is not NUL-terminated";
    if (std::memchr(e.code, '\0', sizeof e.code) == nullptr) return "error code is not NUL-terminated";
    if (std::memchr(e.param, '\0', sizeof e.param) == nullptr) return "error param is not NUL-terminated";
    if (e.message[0] == '\0') return std::string(status_name(f.status)) + " without an error message";
    if (e.http_status != 0 && (e.http_status < 400 || e.http_status > 599))
        return "error http_status " + std::to_string(e.http_status) + " is not 0 or 400..599";
    for (const auto &secret : secrets)
        if (std::strstr(e.message, secret.c_str()) != nullptr) return "a configured secret appears in the error message";
    return {};
}

// What the host requires of a prepared HTTP request.
std::string request_problem(const helix_http_request &r) {
    const std::string method = str(r.method);
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_token_char)) return "bad method '" + method + "'";
    const std::string url = str(r.url);
    if (!url.starts_with("https://") && !url.starts_with("http://")) return "url is not absolute http(s): " + url;
    const auto host_start = url.find("//") + 2;
    if (host_start >= url.size() || url[host_start] == '/') return "url has no host: " + url;
    if (url.find_first_of(" \t\r\n") != std::string::npos) return "url contains white space";
    if (r.header_count > 0 && r.headers == nullptr) return "header_count without headers";
    bool json_body = false;
    for (std::size_t i = 0; i < r.header_count; ++i) {
        const std::string name = str(r.headers[i].name);
        const std::string value = str(r.headers[i].value);
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) return "bad header name '" + name + "'";
        if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
            return "header '" + name + "' has CR, LF or NUL in its value";
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower == "content-type" && value.find("json") != std::string::npos) json_body = true;
    }
    if (r.body.len > 0 && r.body.data == nullptr) return "body has a length but no data";
    if (method == "POST" && r.body.len == 0) return "POST without a body";
    if (json_body) {
        boost::system::error_code error;
        boost::json::parse(std::string_view(r.body.data, r.body.len), error);
        if (error) return "content-type says JSON but the body does not parse: " + error.message();
    }
    if (r.streaming_response != 0 && r.streaming_response != 1) return "streaming_response is neither 0 nor 1";
    return {};
}

// Text safe for a terminal and short: escapes, and at most 160 characters.
std::string printable(const std::string &text) {
    std::string out;
    for (const char c : text) {
        if (out.size() >= 160) return out + "... (" + std::to_string(text.size()) + " bytes)";
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (byte < 0x20 || byte >= 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

std::string fingerprint(const helix_http_request &r) {
    return str(r.method) + " " + str(r.url) + " " + std::to_string(std::hash<std::string>{}(str(r.body)));
}

using plugin_testkit::Chunking;

struct DecodeOutcome {
    helix_status status = HELIX_OK;
    std::string error; // problem with the error or events, empty if none
    std::string summary;
    bool content = false;
    bool finish = false;
    std::uint32_t retry_after_ms = 0;
};

// Feeds one reply as the host does (the testkit's feeder) and checks what
// came back.
DecodeOutcome decode_reply(plugins::UpstreamCall &call, const CannedReply &reply, Chunking chunking, unsigned seed,
                           const std::vector<std::string> &secrets) {
    std::vector<helix_header> headers;
    for (const auto &[name, value] : reply.headers)
        headers.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
    plugin_testkit::EventLog events;
    DecodeOutcome out;
    const auto reached = [](const plugins::PluginFailure &f, helix_error &err) {
        err = f.error;
        return f.status;
    };
    const plugin_testkit::FedReply fed = plugin_testkit::feed_reply(
        reply.status, headers, reply.body, chunking, seed,
        [&](const helix_http_response &r, helix_error &err) { return reached(call.decode(r, events.sink()), err); },
        [&](helix_error &err) { return reached(call.finish(events.sink()), err); });
    plugins::PluginFailure failure;
    failure.status = fed.status;
    failure.error = fed.error;
    out.status = failure.status;
    out.retry_after_ms = failure.error.retry_after_ms;
    if (failure) out.error = error_problem(failure, secrets);
    if (out.error.empty() && !events.problems().empty()) out.error = events.problems().front();
    for (const auto &secret : secrets)
        if (out.error.empty() && events.all_text().find(secret) != std::string::npos && reply.body.find(secret) == std::string::npos)
            out.error = "a configured secret appears in the events";
    out.summary = std::string(status_name(failure.status)) + "\n" + events.summary();
    out.content = events.has_content();
    out.finish = events.has_finish();
    return out;
}

} // namespace

void PluginChecker::run() {
    if (!load() || !validate_settings() || !create()) return;
    const std::vector<std::string> baseline = run_cases(&report_);
    if (options_.threads > 0 && options_.rounds > 0) stress(baseline);
}

bool PluginChecker::load() {
    try {
        library_ = plugins::PluginLibrary::load(options_.plugin_path);
    } catch (const plugins::PluginLoadError &e) {
        report_.fail("load", e.what());
        return false;
    }
    const auto &d = library_->descriptor();
    std::string optional;
    if (d.health != nullptr) optional += " health";
    if (d.validate_config != nullptr) optional += " validate_config";
    report_.pass("load", library_->name() + " " + library_->version() + ", built for ABI " + std::to_string(d.abi_major) +
                             "." + std::to_string(d.abi_minor) + " (this host: " + std::to_string(HELIX_ABI_MAJOR) + "." +
                             std::to_string(HELIX_ABI_MINOR) + "), " +
                             (d.thread_safety == HELIX_THREADS_CONCURRENT_CALLS ? "concurrent calls"
                                                                                  : "serialized calls") +
                             ", optional functions:" + (optional.empty() ? " none" : optional));
    if (d.validate_config == nullptr)
        report_.warn("load", "no validate_config: `helixagentd --check-config` cannot catch bad settings before a start");
    return true;
}

bool PluginChecker::validate_settings() {
    boost::system::error_code error;
    const boost::json::value settings = boost::json::parse(options_.settings_json, error);
    if (error || !settings.is_object()) {
        report_.fail("settings", "--settings is not a JSON object");
        return false;
    }
    collect_secrets(settings, "", secrets_);
    const auto validate = library_->descriptor().validate_config;
    if (validate != nullptr) {
        plugins::PluginFailure f;
        f.error.struct_size = sizeof f.error;
        f.status = validate({options_.settings_json.data(), options_.settings_json.size()}, &f.error);
        if (f) {
            report_.fail("settings", std::string("validate_config refused them: ") + f.message());
            return false;
        }
        // A settings map that cannot be right must be refused before create.
        plugins::PluginFailure bad;
        bad.error.struct_size = sizeof bad.error;
        const std::string not_object = "[1,2,3]";
        bad.status = validate({not_object.data(), not_object.size()}, &bad.error);
        if (!bad)
            report_.fail("settings", "validate_config accepted a JSON array as its settings");
        else if (const auto problem = error_problem(bad, secrets_); !problem.empty())
            report_.fail("settings", "validate_config's refusal: " + problem);
        else
            report_.pass("settings", "accepted; a settings list is refused (" + bad.message() + ")");
    }
    return true;
}

bool PluginChecker::create() {
    try {
        provider_ = plugins::ProviderInstance::create("checked", library_, options_.settings_json,
                                                      std::make_shared<NoSideRequests>(), [] { return fixed_unix_ms; },
                                                      false); // the check looks for the leaks the daemon would hide
    } catch (const plugins::PluginLoadError &e) {
        report_.fail("create", e.what());
        return false;
    }
    const auto &models = provider_->models();
    if (models.empty()) {
        report_.fail("create", "list_models returned no models");
        return false;
    }
    std::vector<std::string> ids;
    for (const auto &m : models) {
        if (m.id.empty() || m.upstream_id.empty()) {
            report_.fail("create", "a model has an empty id or upstream_id");
            return false;
        }
        if (std::find(ids.begin(), ids.end(), m.id) != ids.end()) {
            report_.fail("create", "model id '" + m.id + "' is listed twice");
            return false;
        }
        ids.push_back(m.id);
    }
    std::string list;
    for (std::size_t i = 0; i < ids.size() && i < 5; ++i) list += (i == 0 ? "" : ", ") + ids[i];
    if (ids.size() > 5) list += ", ...";
    std::string health;
    const helix_health h = provider_->health(health);
    report_.pass("create", std::to_string(ids.size()) + " models (" + list + "), health " +
                               (h == HELIX_HEALTH_OK ? "ok" : h == HELIX_HEALTH_DEGRADED ? "degraded" : "failing") +
                               (health.empty() ? "" : " (" + health + ")"));
    return true;
}

std::vector<std::string> PluginChecker::run_cases(Report *report) const {
    std::vector<std::string> lines;
    const auto &models = provider_->models();
    const plugins::ModelInfo &first = models.front();

    // --- prepare: every canonical request the model can take; basic on every model.
    int translated = 0, refused = 0, skipped = 0;
    const int failures_before = report != nullptr ? report->failures() : 0;
    std::string refusals;
    const auto prepare_one = [&](const CanonicalRequest &c, const plugins::ModelInfo &model) {
        const api::ChatRequest chat = build_request(c, model.id, model.upstream_id);
        if ((chat.required_capabilities() & ~model.capabilities) != 0) {
            ++skipped; // the router would never send it to this model
            lines.push_back("prepare " + c.name + " " + model.id + ": skipped");
            return;
        }
        std::unique_ptr<plugins::UpstreamCall> call;
        const plugins::PluginFailure f = provider_->prepare(chat.view(), call);
        const std::string where = "prepare '" + c.name + "' (" + model.id + ")";
        if (!f) {
            ++translated;
            const std::string problem = request_problem(call->request());
            if (report != nullptr && !problem.empty()) report->fail(where, problem);
            lines.push_back(where + ": " + fingerprint(call->request()));
            return;
        }
        const std::string problem = error_problem(f, secrets_);
        lines.push_back(where + ": " + status_name(f.status));
        if (report == nullptr) return;
        if (!problem.empty()) {
            report->fail(where, problem);
        } else if (c.name == "basic") {
            report->fail(where, std::string("the simplest request was refused: ") + status_name(f.status) + ": " +
                                    f.message());
        } else if (f.status == HELIX_ERR_NOT_SUPPORTED || f.status == HELIX_ERR_INVALID_REQUEST) {
            ++refused;
            refusals += (refusals.empty() ? "" : ", ") + c.name;
        } else {
            report->fail(where, std::string("expected OK, NOT_SUPPORTED or INVALID_REQUEST, got ") +
                                    status_name(f.status) + ": " + f.message());
        }
    };
    for (const auto &c : canonical_requests()) prepare_one(c, first);
    for (std::size_t i = 1; i < models.size(); ++i) prepare_one(canonical_requests().front(), models[i]);
    if (report != nullptr && report->failures() == failures_before)
        report->pass("prepare", std::to_string(translated) + " requests translated into valid HTTP requests" +
                                    (refused > 0 ? ", " + std::to_string(refused) + " refused as unsupported (" +
                                                       refusals + ")"
                                                 : "") +
                                    (skipped > 0 ? ", " + std::to_string(skipped) + " not offered (model capabilities)"
                                                 : ""));

    // --- decode: each reply whole, byte by byte and in random pieces.
    std::vector<CannedReply> replies = generic_replies();
    for (const auto &file : options_.reply_files) replies.push_back(read_sample_reply(file));
    const CanonicalRequest &basic = canonical_requests().front();
    const CanonicalRequest *stream_request = nullptr;
    for (const auto &c : canonical_requests())
        if (c.name == "stream") stream_request = &c;
    int decoded = 0;
    const int decode_failures_before = report != nullptr ? report->failures() : 0;
    for (const auto &reply : replies) {
        const bool stream = reply.stream && (first.capabilities & HELIX_MODEL_STREAMING) != 0;
        const std::string where = "decode '" + reply.name + "'";
        std::vector<DecodeOutcome> outcomes;
        const std::vector<plugin_testkit::Cut> cuts = plugin_testkit::every_cut(2);
        for (const plugin_testkit::Cut &cut : cuts) {
            const api::ChatRequest chat = build_request(stream ? *stream_request : basic, first.id, first.upstream_id);
            std::unique_ptr<plugins::UpstreamCall> call;
            if (const auto f = provider_->prepare(chat.view(), call)) {
                if (report != nullptr) report->fail(where, "prepare failed first: " + f.message());
                break;
            }
            outcomes.push_back(decode_reply(*call, reply, cut.how, cut.seed, secrets_));
        }
        if (outcomes.empty()) continue;
        const DecodeOutcome &whole = outcomes.front();
        lines.push_back(where + ": " + whole.summary);
        if (report == nullptr) continue;
        ++decoded;
        std::string problem;
        for (const auto &o : outcomes)
            if (problem.empty() && !o.error.empty()) problem = o.error;
        for (std::size_t i = 1; problem.empty() && i < outcomes.size(); ++i)
            if (outcomes[i].summary != whole.summary) {
                const std::string name = plugin_testkit::cut_name(cuts[i]);
                problem = "fed " + name + " it decodes differently than whole: " + printable(whole.summary) + " | " +
                          name + ": " + printable(outcomes[i].summary);
            }
        using E = CannedReply::Expect;
        if (problem.empty() && whole.status == HELIX_ERR_INTERNAL)
            problem = "INTERNAL error: a bug or crash guard inside the plugin";
        if (problem.empty() && reply.expect == E::retry && whole.status != HELIX_ERR_RETRY)
            problem = std::string("HTTP ") + std::to_string(reply.status) + " must be RETRY (the host then fails over), got " +
                      status_name(whole.status);
        if (problem.empty() && reply.expect == E::error && whole.status == HELIX_OK)
            problem = "HTTP " + std::to_string(reply.status) + " decoded as a success";
        if (problem.empty() && reply.expect == E::content &&
            (whole.status != HELIX_OK || !whole.content || !whole.finish))
            problem = std::string("a sample reply must decode to content and a finish reason, got ") +
                      printable(whole.summary);
        if (!problem.empty()) {
            report->fail(where, problem);
            continue;
        }
        if (reply.status == 429 && whole.retry_after_ms == 0)
            report->warn(where, "Retry-After was not passed on (retry_after_ms 0)");
        if (reply.status == 401 && whole.status != HELIX_ERR_AUTH)
            report->warn(where, std::string("401 gave ") + status_name(whole.status) +
                                    "; AUTH would let the host refresh credentials and retry once");
    }
    if (report != nullptr && report->failures() == decode_failures_before)
        report->pass("decode", std::to_string(decoded) + " replies (" + std::to_string(options_.reply_files.size()) +
                                   " samples) checked whole, byte by byte and in random pieces");
    return lines;
}

void PluginChecker::stress(const std::vector<std::string> &baseline) {
    std::atomic<int> mismatches{0};
    std::string first_difference;
    std::mutex difference_mutex;
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < options_.threads; ++t)
        threads.emplace_back([&] {
            for (unsigned round = 0; round < options_.rounds; ++round) {
                const std::vector<std::string> lines = run_cases(nullptr);
                if (lines == baseline) continue;
                ++mismatches;
                std::lock_guard lock(difference_mutex);
                for (std::size_t i = 0; first_difference.empty() && i < lines.size() && i < baseline.size(); ++i)
                    if (lines[i] != baseline[i])
                        first_difference = printable(lines[i]) + " | one thread: " + printable(baseline[i]);
            }
        });
    for (auto &t : threads) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string what = std::to_string(options_.threads) + " threads x " + std::to_string(options_.rounds) +
                             " rounds of every case at once";
    if (mismatches > 0)
        report_.fail("threads", what + ": " + std::to_string(mismatches.load()) +
                                    " rounds differ from the single-threaded run, e.g. " + first_difference);
    else {
        char took[32];
        std::snprintf(took, sizeof took, "%.2f", seconds);
        report_.pass("threads", what + " gave the single-threaded results (" + took + " s)");
    }
}

} // namespace helix::plugin_check
