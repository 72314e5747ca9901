#include "tools/cloudsim/azure_wire.hpp"

#include "tools/cloudsim/delivery.hpp"
#include "daemon/api/sse_frame.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace helix::cloudsim::azure {

using api::sse_data;

namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 28> kApiVersions{
    // GA
    "2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21",
    // previews
    "2023-03-15-preview", "2023-06-01-preview", "2023-07-01-preview", "2023-08-01-preview", "2023-09-01-preview",
    "2023-10-01-preview", "2023-12-01-preview", "2024-02-15-preview", "2024-03-01-preview", "2024-04-01-preview",
    "2024-05-01-preview", "2024-07-01-preview", "2024-08-01-preview", "2024-09-01-preview", "2024-10-01-preview",
    "2024-12-01-preview", "2025-01-01-preview", "2025-02-01-preview", "2025-03-01-preview", "2025-04-01-preview",
    // v1 surface values
    "preview", "latest", "v1"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kDeploymentModels{{
    {"gpt-4o", "gpt-4o-2024-11-20"},
    {"gpt-4o-mini", "gpt-4o-mini-2024-07-18"},
    {"gpt-4.1", "gpt-4.1-2025-04-14"},
    {"gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"},
    {"gpt-4.1-nano", "gpt-4.1-nano-2025-04-14"},
    {"gpt-4", "gpt-4-0613"},
    {"gpt-35-turbo", "gpt-35-turbo-0125"},
    {"o3-mini", "o3-mini-2025-01-31"},
    {"o4-mini", "o4-mini-2025-04-16"},
}};

json::object category(bool filtered, std::string_view severity) {
    return json::object{{"filtered", filtered}, {"severity", severity}};
}

ApiError azure_error(int status, std::string code, std::string message) {
    ApiError e;
    e.status = status;
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
}

bool carries_text(const json::object &choice) {
    if (const json::value *text = choice.if_contains("text")) // a legacy completion's choice
        return text->is_string() && !text->get_string().empty();
    const json::value *holder = choice.if_contains("message");
    if (!holder) holder = choice.if_contains("delta");
    if (!holder || !holder->is_object()) return false;
    const auto *content = holder->get_object().if_contains("content");
    return content && content->is_string() && !content->get_string().empty();
}

} // namespace

std::span<const std::string_view> api_versions() { return kApiVersions; }

ApiVersion check_api_version(std::optional<std::string_view> version) {
    if (!version) return ApiVersion::missing;
    if (std::find(kApiVersions.begin(), kApiVersions.end(), *version) == kApiVersions.end())
        return ApiVersion::unsupported;
    return ApiVersion::ok;
}

std::string error_body(const ApiError &error) {
    json::object inner;
    if (error.openai_shape) {
        inner["message"] = error.message;
        inner["type"] = error.type ? json::value(*error.type) : json::value(nullptr);
        inner["param"] = error.param ? json::value(*error.param) : json::value(nullptr);
        inner["code"] = error.code.empty() ? json::value(nullptr) : json::value(error.code);
    } else {
        inner["code"] = error.code;
        inner["message"] = error.message;
    }
    if (error.with_status) inner["status"] = error.status;
    if (error.innererror) inner["innererror"] = *error.innererror;
    return json::serialize(json::object{{"error", std::move(inner)}});
}

ApiError resource_not_found() { return azure_error(404, "404", "Resource not found"); }

ApiError api_version_not_supported() { return azure_error(400, "BadRequest", "API version not supported"); }

ApiError deployment_not_found() {
    return azure_error(404, "DeploymentNotFound",
                       "The API deployment for this resource does not exist. If you created the deployment within the "
                       "last 5 minutes, please wait a moment and try again.");
}

ApiError missing_key() {
    return azure_error(401, "401",
                       "Access denied due to missing subscription key. Make sure to include subscription key when "
                       "making requests to an API.");
}

ApiError invalid_key() {
    return azure_error(401, "401",
                       "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
                       "valid key for an active subscription and use a correct regional API endpoint for your "
                       "resource.");
}

ApiError invalid_token() {
    return azure_error(401, "401",
                       "Unauthorized. Access token is missing, invalid, audience is incorrect "
                       "(https://cognitiveservices.azure.com), or have expired.");
}

ApiError prompt_filtered() {
    ApiError e;
    e.status = 400;
    e.openai_shape = true;
    e.with_status = true;
    e.code = "content_filter";
    e.param = "prompt";
    e.message = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "
                "Please modify your prompt and retry. To learn more about our content filtering policies please read "
                "our documentation: https://go.microsoft.com/fwlink/?linkid=2198766";
    json::object results = content_filter_results(true);
    results["jailbreak"] = json::object{{"filtered", false}, {"detected", false}};
    e.innererror = json::object{{"code", "ResponsibleAIPolicyViolation"}, {"content_filter_result", std::move(results)}};
    return e;
}

ApiError fault_error(int status, std::string_view api_version) {
    if (status == 429) {
        return azure_error(429, "429",
                           "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version " +
                               std::string(api_version) +
                               " have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry "
                               "after 2 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to "
                               "further increase the default rate limit. (simulated)");
    }
    if (status == 500) {
        ApiError e;
        e.status = 500;
        e.openai_shape = true;
        e.type = "server_error";
        e.message = "The server had an error processing your request. Sorry about that! You can retry your request, "
                    "or contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 "
                    "if you keep seeing this error. (simulated)";
        return e;
    }
    return azure_error(status, "ServiceUnavailable",
                       "The service is temporarily unable to process your request. Please try again later. (simulated)");
}

json::object content_filter_results(bool violence_filtered) {
    return json::object{{"hate", category(false, "safe")},
                        {"self_harm", category(false, "safe")},
                        {"sexual", category(false, "safe")},
                        {"violence", violence_filtered ? category(true, "medium") : category(false, "safe")}};
}

json::array prompt_filter_results() {
    json::object results = content_filter_results(false);
    results["jailbreak"] = json::object{{"filtered", false}, {"detected", false}};
    return json::array{json::object{{"prompt_index", 0}, {"content_filter_results", std::move(results)}}};
}

void AzureDialect::on_completion(json::object &body) const {
    body["prompt_filter_results"] = prompt_filter_results();
}

void AzureDialect::on_choice(json::object &choice, Part part) const {
    if (part == Part::finish && output_filtered_) {
        choice["content_filter_results"] = content_filter_results(true);
    } else if (part == Part::message && output_filtered_) {
        choice["content_filter_results"] = content_filter_results(true);
    } else if ((part == Part::message || part == Part::token_delta) && carries_text(choice)) {
        choice["content_filter_results"] = content_filter_results(false);
    } else {
        choice["content_filter_results"] = json::object();
    }
}

std::string AzureDialect::prelude(const openai::ReplyMeta & /*meta*/) const {
    json::object body{{"choices", json::array()},
                      {"created", 0},
                      {"id", ""},
                      {"model", ""},
                      {"object", ""},
                      {"prompt_filter_results", prompt_filter_results()}};
    return sse_data(json::serialize(body));
}

std::string AzureDialect::finish(const Reply &reply) const {
    return output_filtered_ ? "content_filter" : openai::finish_reason(reply.finish);
}

void AzureDialect::adjust(Reply &reply) const {
    if (!output_filtered_ || reply.tool_call) return;
    if (reply.pieces.size() > kFaultAfterTokens) reply.pieces.resize(kFaultAfterTokens);
    reply.completion_tokens = reply.pieces.size();
}

std::string model_for_deployment(std::string_view deployment) {
    for (const auto &[name, model] : kDeploymentModels) {
        if (name == deployment) return std::string(model);
    }
    return std::string(deployment);
}

} // namespace helix::cloudsim::azure
