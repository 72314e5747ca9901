#include "tools/plugin_check/canonical_requests.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <stdexcept>

namespace helix::plugin_check {

namespace {

// A 1x1 PNG, as clients send images inline.
constexpr const char *tiny_png =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

std::vector<CanonicalRequest> make_requests() {
    const std::string tools =
        R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city",)"
        R"("parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])";
    std::string long_text(100'000, 'a');
    for (std::size_t i = 0; i < long_text.size(); i += 80) long_text[i] = ' ';
    return {
        {"basic", R"({"model":"MODEL","messages":[{"role":"user","content":"Hello!"}]})"},
        {"system prompt",
         R"({"model":"MODEL","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]})"},
        {"developer prompt",
         R"({"model":"MODEL","messages":[{"role":"developer","content":"Answer in French."},{"role":"user","content":"Hi"}]})"},
        {"multi-turn", R"({"model":"MODEL","messages":[{"role":"user","content":"What is 2+2?"},)"
                       R"({"role":"assistant","content":"4"},{"role":"user","content":"And times 3?"}]})"},
        {"stream", R"({"model":"MODEL","stream":true,"stream_options":{"include_usage":true},)"
                   R"("messages":[{"role":"user","content":"Count to three"}]})"},
        {"sampling parameters",
         R"({"model":"MODEL","max_tokens":64,"temperature":0.2,"top_p":0.9,"stop":["END","STOP"],"seed":7,)"
         R"("user":"user-1","messages":[{"role":"user","content":"Say hi"}]})"},
        {"max_completion_tokens", R"({"model":"MODEL","max_completion_tokens":32,"messages":[{"role":"user","content":"Hi"}]})"},
        {"tools", R"({"model":"MODEL",)" + tools + R"(,"tool_choice":"auto","messages":[{"role":"user","content":"Weather in Paris?"}]})"},
        {"named tool choice", R"({"model":"MODEL",)" + tools +
                                  R"(,"tool_choice":{"type":"function","function":{"name":"get_weather"}},)"
                                  R"("messages":[{"role":"user","content":"Weather in Rome?"}]})"},
        {"tool result", R"({"model":"MODEL",)" + tools +
                            R"(,"messages":[{"role":"user","content":"Weather in Oslo?"},)"
                            R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",)"
                            R"("function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},)"
                            R"({"role":"tool","tool_call_id":"call_1","content":"{\"temp_c\":3}"}]})"},
        {"stream with tools", R"({"model":"MODEL","stream":true,)" + tools +
                                  R"(,"messages":[{"role":"user","content":"Weather in Lima?"}]})"},
        {"image", std::string(R"({"model":"MODEL","messages":[{"role":"user","content":[)"
                              R"({"type":"text","text":"What is in this image?"},)"
                              R"({"type":"image_url","image_url":{"url":")") +
                      tiny_png + R"(","detail":"low"}}]}]})"},
        {"json object", R"({"model":"MODEL","response_format":{"type":"json_object"},)"
                        R"("messages":[{"role":"user","content":"Reply with a JSON object"}]})"},
        {"json schema", R"({"model":"MODEL","response_format":{"type":"json_schema","json_schema":{"name":"answer",)"
                        R"("schema":{"type":"object","properties":{"a":{"type":"string"}}}}},)"
                        R"("messages":[{"role":"user","content":"Answer"}]})"},
        {"two choices", R"({"model":"MODEL","n":2,"messages":[{"role":"user","content":"Hi"}]})"},
        {"unicode", R"({"model":"MODEL","messages":[{"role":"user","content":"Grüße, 你好, שלום, 👋🏽 \"quoted\" \\ back\u0001slash\nnew line"}]})"},
        {"long prompt", R"({"model":"MODEL","messages":[{"role":"user","content":")" + long_text + R"("}]})"},
    };
}

} // namespace

const std::vector<CanonicalRequest> &canonical_requests() {
    static const std::vector<CanonicalRequest> requests = make_requests();
    return requests;
}

api::ChatRequest build_request(const CanonicalRequest &request, const std::string &model_id,
                               const std::string &upstream_id) {
    std::string body = request.body;
    body.replace(body.find("\"MODEL\""), 7, boost::json::serialize(boost::json::value(model_id)));
    auto parsed = api::parse_chat_request(std::move(body));
    if (auto *error = std::get_if<api::ApiError>(&parsed))
        throw std::logic_error("canonical request '" + request.name + "' does not parse: " + error->message);
    auto chat = std::move(std::get<api::ChatRequest>(parsed));
    chat.set_upstream_model(upstream_id);
    return chat;
}

} // namespace helix::plugin_check
