#include "daemon/plugins/host_services.hpp"

#include "daemon/plugins/non_blocking_thread.hpp"
#include "daemon/plugins/process_runner.hpp"
#include "daemon/plugins/request_check.hpp"

#include <Poco/Logger.h>

#include <cstring>

namespace helix::plugins {

namespace {

std::int64_t system_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void set_error(helix_error *err, const char *message) {
    if (err == nullptr || err->struct_size < sizeof(helix_error)) return;
    std::strncpy(err->message, message, sizeof err->message - 1);
    err->message[sizeof err->message - 1] = '\0';
}

} // namespace

HostServices::HostServices(std::string provider_name, std::string_view config_json,
                           std::shared_ptr<SideRequestClient> side_requests, Clock clock, SecretRedactor redactor)
    : config_json_(config::secret_text(config_json)), side_requests_(std::move(side_requests)),
      clock_(clock ? std::move(clock) : Clock(system_now_ms)), redactor_(std::move(redactor)),
      logger_(&Poco::Logger::get("plugin." + provider_name)) {
    table_.struct_size = sizeof table_;
    table_.abi_major = HELIX_ABI_MAJOR;
    table_.abi_minor = HELIX_ABI_MINOR;
    table_.ctx = this;
    table_.log = &HostServices::log;
    table_.http_fetch = &HostServices::http_fetch;
    table_.now_unix_ms = &HostServices::now_unix_ms;
    table_.config_json = &HostServices::config_json;
    table_.run_process = &HostServices::run_process;
}

void HostServices::log(void *ctx, std::uint32_t level, helix_str msg) {
    auto *self = static_cast<HostServices *>(ctx);
    const std::string text = self->redactor_.redact(msg.len == 0 ? std::string() : std::string(msg.data, msg.len));
    switch (level) {
    case HELIX_LOG_DEBUG: self->logger_->debug(text); break;
    case HELIX_LOG_INFO: self->logger_->information(text); break;
    case HELIX_LOG_WARNING: self->logger_->warning(text); break;
    case HELIX_LOG_ERROR:
    default: self->logger_->error(text); break;
    }
}

helix_status HostServices::http_fetch(void *ctx, const helix_http_request *request, std::uint32_t timeout_ms,
                                      helix_fetch_callback on_response, void *user, helix_error *err) {
    auto *self = static_cast<HostServices *>(ctx);
    if (must_not_block()) { // an event loop: the plugin returns this and is called again on the pool
        set_error(err, "side requests are not made on an event loop");
        return HELIX_ERR_WOULD_BLOCK;
    }
    if (request == nullptr || on_response == nullptr) {
        set_error(err, "http_fetch needs a request and a callback");
        return HELIX_ERR_INTERNAL;
    }
    if (!self->side_requests_) {
        set_error(err, "side requests are not available in this host");
        return HELIX_ERR_NOT_SUPPORTED;
    }
    if (const auto problem = unsafe_request_part(*request)) { // e.g. a CR LF in a URL setting
        set_error(err, ("http_fetch refused: " + *problem).c_str());
        return HELIX_ERR_CONFIG;
    }
    try {
        const auto timeout = std::chrono::milliseconds(timeout_ms == 0 ? 10'000 : timeout_ms);
        return self->side_requests_->fetch(*request, timeout, on_response, user, err);
    } catch (const std::exception &e) {
        set_error(err, e.what());
        return HELIX_ERR_INTERNAL;
    }
}

helix_status HostServices::run_process(void *, const helix_process_request *request, std::uint32_t timeout_ms,
                                      helix_process_callback on_result, void *user, helix_error *err) {
    if (must_not_block()) {
        set_error(err, "credential programs are not run on an event loop");
        return HELIX_ERR_WOULD_BLOCK;
    }
    if (request == nullptr || on_result == nullptr || request->struct_size < sizeof(helix_process_request)) {
        set_error(err, "run_process needs a request and a callback");
        return HELIX_ERR_INTERNAL;
    }
    try {
        const std::string_view command(request->command.data == nullptr ? "" : request->command.data,
                                       request->command.len);
        const auto argv = split_command_line(command);
        if (!argv) {
            set_error(err, "the command line has an unterminated quote or a trailing backslash");
            return HELIX_ERR_CONFIG;
        }
        std::vector<std::pair<std::string, std::string>> env;
        for (std::size_t i = 0; i < request->env_count; ++i) {
            const helix_header &h = request->env[i];
            std::string name(h.name.data == nullptr ? "" : h.name.data, h.name.len);
            if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
                set_error(err, "run_process: an environment variable name is empty or has '=' or NUL");
                return HELIX_ERR_INTERNAL;
            }
            env.emplace_back(std::move(name), std::string(h.value.data == nullptr ? "" : h.value.data, h.value.len));
        }
        const auto timeout = std::chrono::milliseconds(timeout_ms == 0 ? 30'000 : timeout_ms);
        const ProcessOutcome outcome = plugins::run_process(*argv, env, timeout);
        if (outcome.status != HELIX_OK) {
            set_error(err, outcome.problem.c_str());
            return outcome.status;
        }
        helix_process_result result{};
        result.struct_size = sizeof result;
        result.exit_code = outcome.exit_code;
        result.out = helix_str{outcome.out.data(), outcome.out.size()};
        result.err = helix_str{outcome.err.data(), outcome.err.size()};
        on_result(user, &result);
        return HELIX_OK;
    } catch (const std::exception &e) {
        set_error(err, e.what());
        return HELIX_ERR_INTERNAL;
    }
}

std::int64_t HostServices::now_unix_ms(void *ctx) { return static_cast<HostServices *>(ctx)->clock_(); }

helix_str HostServices::config_json(void *ctx) {
    const auto &json = static_cast<HostServices *>(ctx)->config_json_;
    return helix_str{json.data(), json.size()};
}

} // namespace helix::plugins
