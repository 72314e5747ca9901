#include "daemon/api/embeddings_request.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/json_fields.hpp"

#include <algorithm>
#include <deque>
#include <exception>
#include <new>
#include <vector>

namespace helix::api {

namespace json = boost::json;
using namespace fields; // NOLINT: the field checks are this parser's vocabulary

struct EmbeddingsRequest::Impl {
    std::string body;
    json::value doc; // text inputs point into it
    std::deque<std::vector<std::int64_t>> tokens;
    std::vector<helix_embedding_input> inputs;
    std::vector<const helix_embedding_input *> input_ptrs;
    std::string_view model;
    std::string_view user;
    std::uint32_t dimensions = 0;
    bool base64 = false;
    bool token_inputs = false;
};

namespace {

constexpr std::int64_t kMaxTokenId = 2147483647;

std::string_view sv(const json::string &s) noexcept { return {s.data(), s.size()}; }
helix_str str_of(std::string_view s) noexcept { return helix_str{s.data(), s.size()}; }

[[noreturn]] void too_many(const Path &path, std::size_t count) {
    fail(path,
         "Invalid '" + path.str() + "': array too long. Expected an array with maximum length " +
             std::to_string(kMaxEmbeddingInputs) + " (inputs per request), but got an array with length " +
             std::to_string(count) + " instead; split the inputs over several requests.",
         "array_above_max_length");
}

} // namespace

class EmbeddingsRequestParser {
public:
    static EmbeddingsParseResult run(std::string body) {
        return guarded<EmbeddingsParseResult>([&]() -> EmbeddingsParseResult {
            auto impl = std::make_unique<EmbeddingsRequest::Impl>();
            impl->body = std::move(body);
            impl->doc = parse_body(impl->body); // an object, or it threw
            EmbeddingsRequestParser p(*impl);
            p.top_level(impl->doc.get_object());
            return EmbeddingsRequest(std::move(impl));
        });
    }

private:
    explicit EmbeddingsRequestParser(EmbeddingsRequest::Impl &impl) : r_(impl) {}

    void top_level(const json::object &root) {
        const Path top;
        r_.model = model_field(root, top);

        const Path input_path = top.child("input");
        input(required(root, "input", input_path), input_path);

        if (const json::value *v = optional(root, "encoding_format")) {
            const Path path = top.child("encoding_format");
            const std::string_view format = sv(as_string(*v, path));
            if (format == "base64")
                r_.base64 = true;
            else if (format != "float")
                fail_value(path, format, {"float", "base64"});
        }
        if (const json::value *v = optional(root, "dimensions"))
            r_.dimensions = static_cast<std::uint32_t>(
                as_integer_in(*v, top.child("dimensions"), 1, kMaxEmbeddingDimensions));
        if (const json::value *v = optional(root, "user")) r_.user = sv(as_string(*v, top.child("user")));

        r_.input_ptrs.reserve(r_.inputs.size());
        for (const helix_embedding_input &in : r_.inputs) r_.input_ptrs.push_back(&in);
    }

    void input(const json::value &v, const Path &path) {
        if (v.is_string()) return add_text(non_empty_string(v, path));
        if (!v.is_array()) fail_type(path, "a string, an array of strings or an array of token ids", v);
        const json::array &items = non_empty_array(v, path, "inputs");
        // The first element says which form the array has; the rest must follow it.
        if (items.front().is_int64() || items.front().is_uint64() || items.front().is_double()) {
            r_.token_inputs = true;
            add_tokens(v, path);
            return;
        }
        if (items.size() > kMaxEmbeddingInputs) too_many(path, items.size());
        r_.inputs.reserve(items.size());
        const bool strings = items.front().is_string();
        if (!strings && !items.front().is_array())
            fail_type(path.at(0), "a string, a token id or an array of token ids", items.front());
        r_.token_inputs = !strings;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const Path at = path.at(i);
            if (strings)
                add_text(non_empty_string(items[i], at));
            else
                add_tokens(items[i], at);
        }
    }

    void add_text(const json::string &text) {
        helix_embedding_input in{};
        in.struct_size = sizeof in;
        in.text = str_of(sv(text));
        r_.inputs.push_back(in);
    }

    void add_tokens(const json::value &v, const Path &path) {
        const json::array &ids = non_empty_array(v, path, "token ids");
        std::vector<std::int64_t> &tokens = r_.tokens.emplace_back();
        tokens.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) tokens.push_back(as_integer_in(ids[i], path.at(i), 0, kMaxTokenId));
        helix_embedding_input in{};
        in.struct_size = sizeof in;
        in.tokens = tokens.data();
        in.token_count = tokens.size();
        r_.inputs.push_back(in);
    }

    EmbeddingsRequest::Impl &r_;
};

EmbeddingsRequest::EmbeddingsRequest(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
EmbeddingsRequest::EmbeddingsRequest(EmbeddingsRequest &&) noexcept = default;
EmbeddingsRequest &EmbeddingsRequest::operator=(EmbeddingsRequest &&) noexcept = default;
EmbeddingsRequest::~EmbeddingsRequest() = default;

helix_embeddings_request EmbeddingsRequest::view(std::string_view upstream_model, std::size_t first,
                                                 std::size_t count) const noexcept {
    helix_embeddings_request r{};
    r.struct_size = sizeof r;
    r.model = str_of(upstream_model);
    if (!impl_) return r;
    const std::size_t total = impl_->input_ptrs.size();
    first = std::min(first, total);
    r.inputs = impl_->input_ptrs.data() + first;
    r.input_count = std::min(count, total - first);
    r.dimensions = impl_->dimensions;
    r.encoding = impl_->base64 ? HELIX_ENCODING_BASE64 : HELIX_ENCODING_FLOAT;
    r.user = str_of(impl_->user);
    r.original_body = str_of(impl_->body);
    return r;
}

std::string_view EmbeddingsRequest::model() const noexcept { return impl_ ? impl_->model : std::string_view(); }
std::size_t EmbeddingsRequest::input_count() const noexcept { return impl_ ? impl_->inputs.size() : 0; }
std::uint32_t EmbeddingsRequest::dimensions() const noexcept { return impl_ ? impl_->dimensions : 0; }
bool EmbeddingsRequest::base64() const noexcept { return impl_ && impl_->base64; }
bool EmbeddingsRequest::token_inputs() const noexcept { return impl_ && impl_->token_inputs; }
std::string_view EmbeddingsRequest::body() const noexcept { return impl_ ? std::string_view(impl_->body) : std::string_view(); }

EmbeddingsParseResult parse_embeddings_request(std::string body) {
    try {
        return EmbeddingsRequestParser::run(std::move(body));
    } catch (...) {
        // run() catches everything itself; this only guards the result's construction.
        return internal_error("The gateway could not read the request.");
    }
}

} // namespace helix::api
