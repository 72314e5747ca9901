#pragma once
// The simulated AWS STS of this process (the Bedrock listener's credential
// endpoints), for the simulated Google STS: an AWS-sourced workload identity
// subject token is a signed GetCallerIdentity request that Google replays to
// AWS, and here "AWS" is the Bedrock listener of the same process, so its
// credentials (long-term pair, IMDS and STS issued ones) are the ones that verify.
// Thread-safe.

#include "tools/cloudsim/aws_credentials.hpp"

#include <optional>

namespace helix::cloudsim::aws_credentials {

// The Bedrock listener registers its endpoints while it exists (nullptr: none).
void set_process_sts(CredentialEndpoints *endpoints);

// The reply of this process's AWS STS to `request`; nullopt when no Bedrock
// listener runs.
std::optional<EndpointReply> call_process_sts(const EndpointRequest &request, std::int64_t now_s);

} // namespace helix::cloudsim::aws_credentials
