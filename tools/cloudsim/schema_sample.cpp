#include "tools/cloudsim/schema_sample.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>

namespace helix::cloudsim {

namespace {

namespace json = boost::json;

constexpr int kMaxDepth = 32;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The schema's type ("string", ...), the first non-null one of a list.
std::string type_of(const json::object &schema) {
    const json::value *type = schema.if_contains("type");
    if (type == nullptr) {
        if (schema.contains("properties")) return "object";
        if (schema.contains("items")) return "array";
        return {};
    }
    if (type->is_string()) return lower(type->get_string());
    if (const json::array *list = type->if_array())
        for (const json::value &t : *list)
            if (t.is_string() && lower(t.get_string()) != "null") return lower(t.get_string());
    return {};
}

std::optional<double> number_member(const json::object &o, std::string_view key) {
    const json::value *v = o.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    if (v->is_string()) { // Vertex writes int64 bounds as strings
        try {
            return std::stod(std::string(v->get_string()));
        } catch (const std::exception &) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::string string_for(const json::object &schema, std::string_view name) {
    const json::value *format = schema.if_contains("format");
    const std::string f = format != nullptr && format->is_string() ? lower(format->get_string()) : std::string();
    std::string s;
    if (f == "date-time") s = "2025-01-01T00:00:00Z";
    else if (f == "date") s = "2025-01-01";
    else if (f == "time") s = "00:00:00Z";
    else if (f == "email") s = "sim@example.com";
    else if (f == "uri" || f == "url") s = "https://example.com/sim";
    else if (f == "uuid") s = "00000000-0000-4000-8000-000000000000";
    else if (f == "ipv4") s = "192.0.2.1";
    else s = "sim-" + std::string(name.empty() ? "value" : name);
    if (const auto max = number_member(schema, "maxLength"); max && *max >= 0 && s.size() > static_cast<std::size_t>(*max))
        s.resize(static_cast<std::size_t>(*max));
    if (const auto min = number_member(schema, "minLength"); min && *min > 0)
        while (s.size() < static_cast<std::size_t>(*min)) s.push_back('x');
    return s;
}

double number_for(const json::object &schema, double preferred, bool integer) {
    double v = preferred;
    const auto lo = number_member(schema, "minimum");
    const auto hi = number_member(schema, "maximum");
    const auto ex_lo = number_member(schema, "exclusiveMinimum");
    const auto ex_hi = number_member(schema, "exclusiveMaximum");
    if (lo && v < *lo) v = *lo;
    if (ex_lo && v <= *ex_lo) v = integer ? std::floor(*ex_lo) + 1 : *ex_lo + 0.5;
    if (hi && v > *hi) v = *hi;
    if (ex_hi && v >= *ex_hi) v = integer ? std::ceil(*ex_hi) - 1 : *ex_hi - 0.5;
    return integer ? std::ceil(v) : v;
}

class Sampler {
public:
    explicit Sampler(const json::value &root) : root_(root) {}

    json::value sample(const json::value &schema_value, std::string_view name, int depth) {
        const json::object *schema = schema_value.if_object();
        if (schema == nullptr || depth > kMaxDepth) return nullptr;
        if (const json::value *ref = schema->if_contains("$ref"); ref != nullptr && ref->is_string())
            return sample(resolve(ref->get_string()), name, depth + 1);
        if (const json::value *c = schema->if_contains("const")) return *c;
        if (const json::value *e = schema->if_contains("enum"); e != nullptr && e->is_array() && !e->get_array().empty())
            return e->get_array()[0];
        for (const char *key : {"anyOf", "oneOf"})
            if (const json::value *branches = schema->if_contains(key);
                branches != nullptr && branches->is_array() && !branches->get_array().empty())
                return sample(first_not_null(branches->get_array()), name, depth + 1);
        if (const json::value *all = schema->if_contains("allOf"); all != nullptr && all->is_array())
            return sample(merged(*schema, all->get_array()), name, depth + 1);
        const std::string type = type_of(*schema);
        if (type == "object") return object_for(*schema, depth);
        if (type == "array") {
            json::array out;
            const auto min = number_member(*schema, "minItems").value_or(0);
            const json::value *items = schema->if_contains("items");
            for (int i = 0; i < static_cast<int>(std::min(min, 100.0)); ++i)
                out.push_back(items != nullptr ? sample(*items, name, depth + 1) : json::value(nullptr));
            return out;
        }
        if (type == "string") return json::string(string_for(*schema, name));
        if (type == "integer") return static_cast<std::int64_t>(number_for(*schema, 42, true));
        if (type == "number") return number_for(*schema, 3.5, false);
        if (type == "boolean") return true;
        return nullptr;
    }

private:
    json::value object_for(const json::object &schema, int depth) {
        json::object out;
        if (const json::value *props = schema.if_contains("properties"); props != nullptr && props->is_object())
            for (const auto &member : props->get_object())
                out[member.key()] = sample(member.value(), member.key(), depth + 1);
        return out;
    }

    // The first branch that is not {"type": "null"} (else the first).
    static const json::value &first_not_null(const json::array &branches) {
        for (const json::value &b : branches)
            if (const json::object *o = b.if_object(); o != nullptr && type_of(*o) != "null" && !o->empty()) return b;
        return branches[0];
    }

    static json::value merged(const json::object &schema, const json::array &all) {
        json::object out = schema;
        out.erase("allOf");
        json::object properties;
        if (const json::value *p = schema.if_contains("properties"); p != nullptr && p->is_object()) properties = p->get_object();
        for (const json::value &branch : all) {
            const json::object *b = branch.if_object();
            if (b == nullptr) continue;
            if (const json::value *p = b->if_contains("properties"); p != nullptr && p->is_object())
                for (const auto &member : p->get_object()) properties[member.key()] = member.value();
            if (!out.contains("type") && b->contains("type")) out["type"] = b->at("type");
        }
        if (!properties.empty()) {
            out["properties"] = std::move(properties);
            if (!out.contains("type")) out["type"] = "object";
        }
        return out;
    }

    // "#/$defs/name" or "#/definitions/name" (JSON Pointer, ~0 ~1 escapes).
    const json::value &resolve(std::string_view ref) const {
        static const json::value kNull;
        if (!ref.starts_with("#")) return kNull;
        ref.remove_prefix(1);
        const json::value *at = &root_;
        while (!ref.empty()) {
            if (ref.front() != '/') return kNull;
            ref.remove_prefix(1);
            const std::size_t slash = ref.find('/');
            std::string token(ref.substr(0, slash));
            for (std::size_t p = 0; (p = token.find('~', p)) != std::string::npos; ++p)
                token.replace(p, 2, p + 1 < token.size() && token[p + 1] == '1' ? "/" : "~");
            const json::object *o = at->if_object();
            if (o == nullptr || !o->contains(token)) return kNull;
            at = &o->at(token);
            ref = slash == std::string_view::npos ? std::string_view() : ref.substr(slash);
        }
        return *at;
    }

    const json::value &root_;
};

} // namespace

json::value schema_sample(const json::value &schema) { return Sampler(schema).sample(schema, {}, 0); }

} // namespace helix::cloudsim
