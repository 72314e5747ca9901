#include "plugins/common/embeddings.hpp"

#include "plugins/common/response_decoder.hpp"

#include <helixagent/plugin.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace helix::plugin_common {

std::vector<float> read_embedding(const boost::json::value &v, std::string_view what) {
    const boost::json::array *a = v.if_array();
    if (a == nullptr || a->empty())
        throw_protocol_error("the upstream's " + std::string(what) + " is not a non-empty array of numbers");
    std::vector<float> out;
    out.reserve(a->size());
    for (const boost::json::value &x : *a) {
        double d = 0;
        if (x.is_double())
            d = x.get_double();
        else if (x.is_int64())
            d = static_cast<double>(x.get_int64());
        else if (x.is_uint64())
            d = static_cast<double>(x.get_uint64());
        else
            throw_protocol_error("the upstream's " + std::string(what) + " holds a value that is not a number");
        if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max()))
            throw_protocol_error("the upstream's " + std::string(what) + " holds a number out of float range");
        out.push_back(static_cast<float>(d));
    }
    return out;
}

std::vector<std::string_view> text_inputs(const helix_embeddings_request &request, std::string_view provider) {
    std::vector<std::string_view> texts;
    texts.reserve(request.input_count);
    for (const helix_embedding_input &in : helix::sdk::items(request.inputs, request.input_count)) {
        if (in.tokens != nullptr)
            throw helix::sdk::Error(HELIX_ERR_INVALID_REQUEST,
                                    std::string(provider) + " embeds text only; send input as strings, not token ids",
                                    400, 0, "invalid_value", "input");
        texts.push_back(helix::sdk::view(in.text));
    }
    return texts;
}

} // namespace helix::plugin_common
