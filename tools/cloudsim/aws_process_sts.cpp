#include "tools/cloudsim/aws_process_sts.hpp"

#include <mutex>

namespace helix::cloudsim::aws_credentials {

namespace {

std::mutex registry_mutex;
CredentialEndpoints *registered = nullptr;

} // namespace

void set_process_sts(CredentialEndpoints *endpoints) {
    std::lock_guard lock(registry_mutex);
    registered = endpoints;
}

std::optional<EndpointReply> call_process_sts(const EndpointRequest &request, std::int64_t now_s) {
    // Held through the call so that the listener cannot go away meanwhile
    // (one replay per token exchange: cheap enough to serialise).
    std::lock_guard lock(registry_mutex);
    if (registered == nullptr) return std::nullopt;
    return registered->handle(request, now_s);
}

} // namespace helix::cloudsim::aws_credentials
