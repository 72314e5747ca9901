#pragma once
// Google OAuth2 access tokens for Vertex AI, fetched through the host's
// http_fetch (docs/providers.md, gcp-vertex):
//   service account   an RS256-signed JWT-bearer assertion posted to the key's
//                     token_uri
//   authorized_user,  adc_file.hpp (refresh token; STS exchange and impersonation)
//   external_account
//   metadata server   GET http://{metadata_host}/computeMetadata/v1/instance/
//                     service-accounts/default/token with Metadata-Flavor: Google
//                     (the answer must carry the same header)
// Tokens are shared by every call of the provider, refreshed ahead of their
// expiry (plugin_common::TokenCache), dropped when Google refuses one, and
// never logged. A fixed access token (settings.access_token) needs no source.

#include "plugins/common/token_cache.hpp"
#include "plugins/gcp_vertex/vertex_settings.hpp"

namespace helix::gcp_vertex {

class GoogleTokenSource {
public:
    GoogleTokenSource(const Settings &settings, const helix::sdk::Host &host) : settings_(settings), host_(host) {}

    std::string token(); // throws helix::sdk::Error
    void rejected(std::string_view token) { cache_.invalidate(token); }
    bool has_valid_token() const { return cache_.valid_at(host_.now_unix_ms()); }

private:
    helix::plugin_common::BearerToken fetch() const;
    helix::sdk::HttpRequest service_account_request() const;
    helix::sdk::HttpRequest metadata_request() const;

    const Settings &settings_;
    const helix::sdk::Host &host_;
    helix::plugin_common::TokenCache cache_;
};

} // namespace helix::gcp_vertex
