#include "plugins/anthropic/anthropic_messages.hpp"

#include "plugins/anthropic/anthropic_call.hpp"
#include "plugins/common/messages_fields.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace helix::anthropic {

namespace {

namespace json = boost::json;
using helix::sdk::Error;
using helix::sdk::view;

void add_betas(std::vector<std::string> &out, std::string_view list) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
    }
}

} // namespace

std::vector<std::string> merged_betas(const helix_messages_request &request, std::string_view configured) {
    std::vector<std::string> betas;
    for (std::size_t i = 0; i < request.anthropic_beta_count; ++i) add_betas(betas, view(request.anthropic_beta[i]));
    add_betas(betas, configured);
    return betas;
}

void build_messages_request(const Settings &settings, const helix_messages_request &request,
                            helix::sdk::HttpRequest &out) {
    if (settings.api_key.empty() && settings.needs_api_key())
        throw Error(HELIX_ERR_CONFIG, "settings.api_key is not set (ANTHROPIC_API_KEY); the provider cannot authenticate");
    const bool count = request.action == HELIX_MESSAGES_COUNT_TOKENS;
    json::object body = helix::plugin_common::messages_body_for(
        view(request.body),
        count ? helix::plugin_common::MessagesUpstream::anthropic_count_tokens
              : helix::plugin_common::MessagesUpstream::anthropic,
        settings.fields);
    body["model"] = json::string(view(request.model));
    const bool stream = !count && request.stream != 0;

    out.method = "POST";
    out.url = settings.messages_url() + (count ? "/count_tokens" : "");
    out.headers.clear();
    if (!settings.api_key.empty()) out.add_header("x-api-key", settings.api_key);
    out.add_header("anthropic-version", request.anthropic_version.len > 0 ? std::string(view(request.anthropic_version))
                                                                            : settings.anthropic_version);
    std::string betas;
    for (const auto &b : merged_betas(request, settings.anthropic_beta)) betas += (betas.empty() ? "" : ",") + b;
    if (!betas.empty()) out.add_header("anthropic-beta", betas);
    out.add_header("content-type", "application/json");
    out.add_header("accept", stream ? "text/event-stream" : "application/json");
    out.body = json::serialize(body);
    out.streaming_response = stream;
}

AnthropicMessagesCall::AnthropicMessagesCall(helix::plugin_common::DecoderOptions options, std::string secret,
                                             bool count_tokens)
    : ResponseDecoder(std::move(options)), secret_(std::move(secret)),
      relay_([this](const json::value *error) { throw_anthropic_error(error, secret_); }),
      count_tokens_(count_tokens) {}

void AnthropicMessagesCall::on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) {
    relay_.event(event.data, events);
}

void AnthropicMessagesCall::on_stream_end(helix::sdk::EventSink &) { relay_.end_stream(); }

void AnthropicMessagesCall::on_json_body(const json::value &body, helix::sdk::EventSink &events) {
    relay_.body(body, count_tokens_, events);
}

helix::sdk::Error AnthropicMessagesCall::on_error_body(const helix::plugin_common::ResponseInfo &info,
                                                       std::string_view body) {
    return anthropic_error(info, body, secret_);
}

} // namespace helix::anthropic
