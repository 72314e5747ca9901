#pragma once
// Azure OpenAI's additions to OpenAI's chat completions wire (docs/providers.md,
// azure-openai), without I/O: api-version validation, the content filter
// results (prompt_filter_results, per-choice content_filter_results, the
// first stream chunk with no choices), Azure's error bodies, and the model
// name a deployment answers with. Requests are parsed and replies rendered by
// openai_wire; AzureDialect adds the Azure parts.

#include "tools/cloudsim/openai_wire.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace helix::cloudsim::azure {

// The api-version values of the classic (deployments) surface the simulator
// accepts: the GA versions and the previews.
std::span<const std::string_view> api_versions();

enum class ApiVersion { ok, missing, unsupported };
ApiVersion check_api_version(std::optional<std::string_view> version);

// Azure's error body. With `openai_shape`, {"error":{"message","type","param","code"}}
// (plus "status" and "innererror" when set); otherwise Azure's own
// {"error":{"code","message"}} (code a string, e.g. "429").
struct ApiError {
    int status = 400;
    std::string code;
    std::string message;
    bool openai_shape = false;
    std::optional<std::string> param;  // openai shape
    std::optional<std::string> type;   // openai shape (null when unset)
    std::optional<boost::json::object> innererror;
    bool with_status = false;          // "status": <status> inside the error
};
std::string error_body(const ApiError &error);

// 404 {"error":{"code":"404","message":"Resource not found"}}: an unknown
// path, or a classic path without api-version.
ApiError resource_not_found();
// 400 {"error":{"code":"BadRequest","message":"API version not supported"}}.
ApiError api_version_not_supported();
ApiError deployment_not_found();
// 401 for a missing key, a wrong key, a bad or expired Entra token.
ApiError missing_key();
ApiError invalid_key();
ApiError invalid_token();
// 400 code content_filter with innererror ResponsibleAIPolicyViolation.
ApiError prompt_filtered();
// The reply to a 429 / 500 / 503 / 529 fault.
ApiError fault_error(int status, std::string_view api_version);

// {"hate":{"filtered":false,"severity":"safe"},"self_harm":...,"sexual":...,
//  "violence":...}; with `violence_filtered`, violence is filtered at medium.
boost::json::object content_filter_results(bool violence_filtered = false);
// [{"prompt_index":0,"content_filter_results":{... plus "jailbreak"}}]
boost::json::array prompt_filter_results();

// Azure's additions to OpenAI's replies: prompt_filter_results in the
// completion and in a first stream chunk with "choices":[] (id, object and
// model empty, created 0); content_filter_results on every choice (complete
// where the choice carries text, {} elsewhere). With `output_filtered`, the
// reply stops after kFaultAfterTokens tokens with finish_reason
// "content_filter" and violence filtered.
class AzureDialect final : public openai::Dialect {
public:
    explicit AzureDialect(bool output_filtered = false) : output_filtered_(output_filtered) {}
    void on_completion(boost::json::object &body) const override;
    void on_choice(boost::json::object &choice, Part part) const override;
    std::string prelude(const openai::ReplyMeta &meta) const override;
    std::string finish(const Reply &reply) const override;
    void adjust(Reply &reply) const override;

private:
    bool output_filtered_;
};

// The model a deployment answers with: a known model name gets its dated
// version (gpt-4o -> gpt-4o-2024-11-20); any other name is echoed.
std::string model_for_deployment(std::string_view deployment);

} // namespace helix::cloudsim::azure
