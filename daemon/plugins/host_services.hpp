#pragma once
// The helix_host table handed to one provider instance: logging under the
// provider's name, side requests through the host's transport, credential
// programs (process_runner.hpp), the clock, and the provider's own
// configuration section.

#include "daemon/config/secret_text.hpp"
#include "daemon/plugins/secret_redactor.hpp"

#include <helixagent/plugin_abi.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace Poco { class Logger; }

namespace helix::plugins {

// Performs one blocking side request and reports the whole response through
// the callback; the transport layer provides the implementation.
class SideRequestClient {
public:
    virtual ~SideRequestClient() = default;
    virtual helix_status fetch(const helix_http_request &request, std::chrono::milliseconds timeout,
                               helix_fetch_callback on_response, void *user, helix_error *err) = 0;
};

using Clock = std::function<std::int64_t()>; // Unix milliseconds

class HostServices {
public:
    HostServices(std::string provider_name, std::string_view config_json,
                 std::shared_ptr<SideRequestClient> side_requests, Clock clock = {}, SecretRedactor redactor = {});
    HostServices(const HostServices &) = delete;
    HostServices &operator=(const HostServices &) = delete;

    const helix_host *table() const noexcept { return &table_; }
    // The provider's secret values, taken out of what it logs (and, through
    // ProviderInstance, out of its errors).
    const SecretRedactor &redactor() const noexcept { return redactor_; }

private:
    static void log(void *ctx, std::uint32_t level, helix_str msg);
    static helix_status http_fetch(void *ctx, const helix_http_request *request, std::uint32_t timeout_ms,
                                   helix_fetch_callback on_response, void *user, helix_error *err);
    static helix_status run_process(void *ctx, const helix_process_request *request, std::uint32_t timeout_ms,
                                    helix_process_callback on_result, void *user, helix_error *err);
    static std::int64_t now_unix_ms(void *ctx);
    static helix_str config_json(void *ctx);

    config::SecretText config_json_; // the ABI keeps it valid until destroy; wiped when freed
    std::shared_ptr<SideRequestClient> side_requests_;
    Clock clock_;
    SecretRedactor redactor_;
    Poco::Logger *logger_;
    helix_host table_{};
};

} // namespace helix::plugins
