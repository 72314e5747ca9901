#include "tools/cloudsim/openai_embeddings.hpp"

#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/embedding_vectors.hpp"
#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json.hpp>

#include <vector>

namespace helix::cloudsim::openai {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxBody = 32 * 1024 * 1024;
constexpr std::size_t kMaxInputs = 2048;

struct Input {
    std::string text;                 // when tokens is empty
    std::vector<std::int64_t> tokens; // token-id input
};

struct Request {
    std::string model;
    std::vector<Input> inputs;
    bool base64 = false;
    std::optional<std::int64_t> dimensions;
};

ApiError invalid(std::string message, std::optional<std::string> param = std::nullopt) {
    ApiError e;
    e.message = std::move(message);
    e.param = std::move(param);
    return e;
}

ApiError input_invalid() {
    return invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
}

bool token_id(const json::value &v, std::int64_t &out) {
    if (v.is_int64() && v.get_int64() >= 0) {
        out = v.get_int64();
        return true;
    }
    if (v.is_uint64() && v.get_uint64() <= 2147483647u) {
        out = static_cast<std::int64_t>(v.get_uint64());
        return true;
    }
    return false;
}

bool read_tokens(const json::array &a, std::vector<std::int64_t> &out) {
    if (a.empty()) return false;
    for (const auto &v : a) {
        std::int64_t id = 0;
        if (!token_id(v, id)) return false;
        out.push_back(id);
    }
    return true;
}

// The inputs, or false for any shape OpenAI refuses.
bool read_inputs(const json::value &v, std::vector<Input> &out) {
    if (v.is_string()) {
        if (v.get_string().empty()) return false;
        out.push_back({std::string(v.get_string()), {}});
        return true;
    }
    const json::array *a = v.if_array();
    if (a == nullptr || a->empty() || a->size() > kMaxInputs) return false;
    if (a->front().is_int64() || a->front().is_uint64()) {
        Input in;
        if (!read_tokens(*a, in.tokens)) return false;
        out.push_back(std::move(in));
        return true;
    }
    for (const auto &item : *a) {
        Input in;
        if (item.is_string() && !item.get_string().empty()) {
            in.text = std::string(item.get_string());
        } else if (!item.is_array() || !read_tokens(item.get_array(), in.tokens)) {
            return false;
        }
        out.push_back(std::move(in));
    }
    return true;
}

std::optional<Request> parse(std::string_view body, const std::optional<std::string> &model, ApiError &error) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = invalid("We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
                        "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
                        "valid JSON. If you have trouble figuring out how to fix this, please contact us through our "
                        "help center at help.openai.com.)");
        return std::nullopt;
    }
    const json::object &o = doc.get_object();
    Request r;
    if (model) {
        r.model = *model;
    } else {
        const json::value *m = o.if_contains("model");
        if (m == nullptr || !m->is_string() || m->get_string().empty()) {
            error = invalid("you must provide a model parameter");
            return std::nullopt;
        }
        r.model = std::string(m->get_string());
    }
    const json::value *input = o.if_contains("input");
    if (input == nullptr || input->is_null()) {
        error = invalid("Missing required parameter: 'input'.", "input");
        error.code = "missing_required_parameter";
        return std::nullopt;
    }
    if (!read_inputs(*input, r.inputs)) {
        error = input_invalid();
        return std::nullopt;
    }
    if (const json::value *f = o.if_contains("encoding_format"); f != nullptr && !f->is_null()) {
        if (!f->is_string() || (f->get_string() != "float" && f->get_string() != "base64")) {
            error = invalid("Invalid value for 'encoding_format': must be 'float' or 'base64'.", "encoding_format");
            error.code = "invalid_value";
            return std::nullopt;
        }
        r.base64 = f->get_string() == "base64";
    }
    if (const json::value *d = o.if_contains("dimensions"); d != nullptr && !d->is_null()) {
        if (!d->is_int64() || d->get_int64() < 1) {
            error = invalid("Invalid value for 'dimensions' = " + json::serialize(*d) + ". Must be greater than 0.",
                            "dimensions");
            error.code = "invalid_value";
            return std::nullopt;
        }
        r.dimensions = d->get_int64();
    }
    return r;
}

std::string reply_body(const Request &r, std::size_t size, std::uint64_t &prompt_tokens) {
    json::array data;
    for (std::size_t i = 0; i < r.inputs.size(); ++i) {
        const Input &in = r.inputs[i];
        const std::vector<float> v = in.tokens.empty() ? sim_embedding(in.text, size) : sim_embedding(in.tokens, size);
        prompt_tokens += in.tokens.empty() ? count_tokens(in.text) : in.tokens.size();
        json::object item{{"object", "embedding"}, {"index", i}};
        if (r.base64) {
            item["embedding"] = floats_base64(v);
        } else {
            json::array values;
            values.reserve(v.size());
            for (const float x : v) values.push_back(static_cast<double>(x));
            item["embedding"] = std::move(values);
        }
        data.push_back(std::move(item));
    }
    return json::serialize(json::object{
        {"object", "list"},
        {"data", std::move(data)},
        {"model", r.model},
        {"usage", json::object{{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}}});
}

} // namespace

std::optional<std::size_t> embedding_size(std::string_view model) {
    if (model == "text-embedding-3-small" || model == "text-embedding-ada-002") return 1536;
    if (model == "text-embedding-3-large") return 3072;
    return std::nullopt;
}

void answer_embeddings(Exchange &ex, ProviderContext &context, const ChatService &service,
                       const std::optional<std::string> &model) {
    const auto started = std::chrono::steady_clock::now();
    std::string body;
    if (!ex.read_body(body, kMaxBody)) return service.send_error(ex, invalid("Request body too large (limit 32 MiB)."));
    ApiError error;
    const auto request = parse(body, model, error);
    if (!request) return service.send_error(ex, error);
    const auto size = embedding_size(request->model);
    if (!size) {
        ApiError e = invalid("The model `" + request->model + "` does not exist or you do not have access to it.");
        e.status = 404;
        e.code = "model_not_found";
        return service.send_error(ex, e);
    }
    if (request->dimensions) {
        if (request->model == "text-embedding-ada-002")
            return service.send_error(ex, invalid("This model does not support specifying dimensions.", "dimensions"));
        if (static_cast<std::size_t>(*request->dimensions) > *size)
            return service.send_error(ex, invalid("Invalid value for 'dimensions' = " +
                                                      std::to_string(*request->dimensions) + ". Must be at most " +
                                                      std::to_string(*size) + " for " + request->model + ".",
                                                  "dimensions"));
    }

    std::string problem;
    auto behaviour = context.behaviour(ex, problem);
    std::optional<FaultKind> fault;
    if (behaviour) fault = context.resolve_fault(ex, request->inputs.front().text, problem);
    if (!behaviour || !fault) return service.send_error(ex, invalid(problem));
    if (is_error_status_fault(*fault)) {
        ChatRequest as_chat;
        as_chat.prompt.model = request->model;
        return service.send_fault_error(ex, *fault, as_chat);
    }
    apply_connection_fault(ex, *fault, *behaviour);
    std::uint64_t prompt_tokens = 0;
    const std::string reply =
        reply_body(*request, request->dimensions ? static_cast<std::size_t>(*request->dimensions) : *size, prompt_tokens);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started + behaviour->ttfb);
    ex.set_header("openai-processing-ms", std::to_string(elapsed.count()));
    deliver_body(ex, *behaviour, *fault, 0, "application/json", reply);
}

} // namespace helix::cloudsim::openai
