#pragma once
// The Vertex AI provider module (docs/providers.md, gcp-vertex), one listener that
// also plays Google's OAuth2 token endpoint and the GCE metadata server:
//
//   POST /{v1|v1beta1}/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent
//   POST .../models/{m}:streamGenerateContent?alt=sse   SSE, `data: <json>\r\n\r\n`
//   POST .../models/{m}:streamGenerateContent           one JSON array, written chunk by chunk
//   POST .../models/{m}:countTokens
//   POST .../models/{text-bison|code-bison|code-gecko}:predict   legacy shapes
//   (also /{v}/publishers/google/models/... without project: express mode)
//   POST /token                                  JWT-bearer grant -> access token
//   GET  /computeMetadata/v1/instance/service-accounts/{default|email}/token
//        (Metadata-Flavor: Google; also .../email, project/project-id, ...)
//   GET  /__vertex/service-account               the simulator's own service-account key file
//   POST /__vertex/service-accounts              trust another account's public key
//   POST /__vertex/revoke-tokens                 every token minted so far turns invalid (401)
//
// Auth on every API call: `Authorization: Bearer <token minted here>`,
// checked for signature, expiry (--vertex-token-ttl-s) and the cloud-platform
// scope, or an API key (`x-goog-api-key` / `?key=`, --vertex-key). Errors are
// Google's {"error":{"code","message","status","details"}}.

#include "tools/cloudsim/provider_api.hpp"

#include <array>
#include <memory>

namespace helix::cloudsim {

inline constexpr std::string_view kVertexDefaultKey = "sim-vertex-api-key";

std::string check_vertex_token_ttl(std::string_view value);
std::string check_readable_file(std::string_view value);

inline constexpr std::array<ProviderSetting, 6> kVertexSettings{{
    {"token-ttl-s", "3600", "lifetime of the access tokens it mints, seconds", &check_vertex_token_ttl},
    {"oauth-client-id", "sim-oauth-client.apps.googleusercontent.com",
     "the OAuth client an authorized_user refresh token belongs to", nullptr},
    {"oauth-client-secret", "sim-oauth-client-secret", "that client's secret", nullptr},
    {"refresh-token", "1//sim-refresh-token", "the refresh token its /token accepts (authorized_user)", nullptr},
    {"subject-token", "", "the one subject token its STS accepts (default: any non-empty token)", nullptr},
    {"sa-public-key", "",
     "also trust this service account: a key file (JSON), or a PEM public key / certificate", &check_readable_file},
}};

std::unique_ptr<ProviderApi> make_vertex_api(const ProviderOptions &options);

} // namespace helix::cloudsim
