#pragma once
// Microsoft Entra ID for Azure OpenAI, simulated (docs/providers.md, azure-openai), without
// I/O: the access tokens the simulator mints and checks (JWT-shaped, HS256
// under a random per-process secret, aud = the resource, exp = now + ttl),
// the client-credentials token endpoint
//   POST /{tenant}/oauth2/v2.0/token   grant_type=client_credentials&client_id&client_secret&scope=<resource>/.default
//        or, for workload identity federation (AKS), client_assertion_type=
//        urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=<the
//        Kubernetes service account token> instead of the secret: a JWT whose iss
//        and sub match the app's federated identity credential, aud
//        api://AzureADTokenExchange, unexpired (the signature is not checked)
// the tenant's OpenID metadata
//   GET /{tenant}/v2.0/.well-known/openid-configuration
// and the managed-identity endpoint of the instance metadata service
//   GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=<resource>[&client_id=]   (Metadata: true)
// with Entra's and IMDS's success and error bodies.

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace helix::cloudsim::azure {

// The audience Azure OpenAI accepts; scope = this + "/.default".
inline constexpr std::string_view kCognitiveServices = "https://cognitiveservices.azure.com";

struct EntraSettings {
    std::string tenant;        // the tenant the token endpoint serves
    std::string client_id;     // the app registration (and the managed identity's client id)
    std::string client_secret; // the app's secret
    std::int64_t ttl_s = 3600; // token lifetime
    // The app's federated identity credential (workload identity).
    std::string federated_issuer = "https://oidc.sim.helix.local";
    std::string federated_subject = "system:serviceaccount:default:helixagent";
};

inline constexpr std::string_view kFederatedAudience = "api://AzureADTokenExchange";
inline constexpr std::string_view kJwtBearerAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct TokenReply {
    int status = 200;
    std::string body;
};

// A random (version 4) UUID, as Azure's request and trace ids are.
std::string random_uuid();

class EntraTokens {
public:
    explicit EntraTokens(EntraSettings settings); // a random signing secret
    EntraTokens(EntraSettings settings, std::string secret);

    const EntraSettings &settings() const { return settings_; }

    std::string issue(std::string_view audience, std::string_view app_id, std::int64_t now_s) const;
    // Every token issued so far stops being valid (a new secret), as when a
    // token is revoked: the next call with one gets a 401.
    void revoke_all();

    enum class Check { ok, invalid, expired, wrong_audience };
    Check check(std::string_view token, std::int64_t now_s) const;

    // POST /{tenant}/oauth2/v2.0/token with a form body.
    TokenReply client_credentials(std::string_view tenant, std::string_view form_body, std::int64_t now_s) const;
    // GET /metadata/identity/oauth2/token?<query>; `metadata_header`: the
    // request carried `Metadata: true`.
    TokenReply managed_identity(std::string_view query, bool metadata_header, std::int64_t now_s) const;
    // GET /{tenant}/v2.0/.well-known/openid-configuration: the tenant's OpenID
    // metadata (what MSAL reads before its first token request), its
    // endpoints on https://{host}, Entra's 400 for another tenant.
    TokenReply openid_configuration(std::string_view tenant, std::string_view host, std::int64_t now_s) const;

private:
    // A workload identity client assertion; nullopt when Entra accepts it.
    std::optional<TokenReply> check_assertion(const std::string &assertion, const std::string *type,
                                              std::int64_t now_s) const;

    std::string secret() const;

    EntraSettings settings_;
    mutable std::shared_mutex mutex_;
    std::string secret_;
};

} // namespace helix::cloudsim::azure
