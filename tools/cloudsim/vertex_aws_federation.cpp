#include "tools/cloudsim/vertex_aws_federation.hpp"

#include "plugins/aws_common/sigv4.hpp"
#include "tools/cloudsim/aws_process_sts.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <vector>

namespace helix::cloudsim::vertex {

namespace {

namespace json = boost::json;

AwsSubjectCheck refuse(std::string_view error, std::string description) {
    return {HttpReply{400, json::serialize(json::object{{"error", error}, {"error_description", std::move(description)}})}, {}};
}

bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

bool aws_sts_host(std::string_view host) {
    if (host == "sts.amazonaws.com") return true;
    if (!host.starts_with("sts.") || !host.ends_with(".amazonaws.com")) return false;
    const std::string_view region = host.substr(4, host.size() - 4 - std::string_view(".amazonaws.com").size());
    return !region.empty() && region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

std::string element(std::string_view xml, std::string_view name) {
    const std::string open = "<" + std::string(name) + ">", close = "</" + std::string(name) + ">";
    const auto a = xml.find(open);
    if (a == std::string_view::npos) return {};
    const auto b = xml.find(close, a);
    return b == std::string_view::npos ? std::string() : std::string(xml.substr(a + open.size(), b - a - open.size()));
}

} // namespace

AwsSubjectCheck check_aws_subject_token(std::string_view subject_token, std::string_view audience, std::int64_t now_s) {
    const std::string text = helix::aws::percent_decode(subject_token);
    boost::system::error_code ec;
    const json::value v = json::parse(text, ec);
    const json::object *o = ec ? nullptr : v.if_object();
    const json::string *url = o != nullptr && o->contains("url") ? o->at("url").if_string() : nullptr;
    const json::string *method = o != nullptr && o->contains("method") ? o->at("method").if_string() : nullptr;
    const json::array *list = o != nullptr && o->contains("headers") ? o->at("headers").if_array() : nullptr;
    if (url == nullptr || method == nullptr || list == nullptr)
        return refuse("invalid_request", "The subject token is not a serialized AWS GetCallerIdentity request: it needs "
                                         "url, method and headers.");
    std::vector<helix::aws::HttpHeader> headers;
    for (const json::value &h : *list) {
        const json::object *kv = h.if_object();
        const json::string *key = kv != nullptr && kv->contains("key") ? kv->at("key").if_string() : nullptr;
        const json::string *value = kv != nullptr && kv->contains("value") ? kv->at("value").if_string() : nullptr;
        if (key == nullptr || value == nullptr)
            return refuse("invalid_request", "The subject token's headers must be {key, value} strings.");
        headers.push_back({std::string(*key), std::string(*value)});
    }
    const auto header = [&](std::string_view name) -> std::optional<std::string> {
        for (const auto &h : headers)
            if (same_name(h.name, name)) return h.value;
        return std::nullopt;
    };

    const auto parts = helix::aws::split_url(*url);
    if (!parts || parts->scheme != "https" || !aws_sts_host(parts->host))
        return refuse("invalid_grant", "The subject token's url is not an AWS STS endpoint "
                                       "(https://sts[.<region>].amazonaws.com).");
    const auto query = aws_credentials::parse_form(parts->query);
    const auto param = [&](std::string_view k) {
        const auto it = query.find(k);
        return it == query.end() ? std::string() : it->second;
    };
    if (param("Action") != "GetCallerIdentity" || param("Version") != "2011-06-15" || (parts->path != "/" && !parts->path.empty()))
        return refuse("invalid_grant", "The subject token is not an AWS GetCallerIdentity request "
                                       "(?Action=GetCallerIdentity&Version=2011-06-15).");
    if (*method != "POST") return refuse("invalid_grant", "The subject token's AWS request must use POST.");
    const std::string target = header("x-goog-cloud-target-resource").value_or("");
    if (target != audience && target != "https:" + std::string(audience))
        return refuse("invalid_grant", "The subject token's x-goog-cloud-target-resource header does not match the "
                                       "audience of the request.");
    if (header("host").value_or("") != parts->host)
        return refuse("invalid_grant", "The subject token's host header is not the host of its url.");

    aws_credentials::EndpointRequest replay;
    replay.method = "POST";
    replay.path = "/";
    replay.query = parts->query;
    replay.header = header;
    replay.body = "";
    replay.headers = headers;
    const auto reply = aws_credentials::call_process_sts(replay, now_s);
    if (!reply)
        return refuse("invalid_grant", "helix-cloudsim simulates AWS STS on its bedrock listener, which is not running: "
                                       "start it to verify AWS subject tokens.");
    if (reply->status != 200)
        return refuse("invalid_grant", "Received invalid AWS response of type " + element(reply->body, "Code") +
                                           " with error message: " + element(reply->body, "Message"));
    AwsSubjectCheck ok;
    ok.principal_arn = element(reply->body, "Arn");
    return ok;
}

} // namespace helix::cloudsim::vertex
