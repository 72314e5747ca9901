#include "daemon/config/sections.hpp"

namespace helix::config {

namespace {

// The scalar members every limits map shares (a key's, a model's, a provider's).
void read_members(SectionReader &r, const Entries &e, const std::string &path, Limits &limits, bool budgets) {
    r.read(e, path, "rpm", limits.rpm, whole_number(1));
    r.read(e, path, "tpm", limits.tpm, whole_number(1));
    r.read(e, path, "window", limits.window, duration(false));
    if (!budgets) return;
    r.read(e, path, "max_concurrent", limits.max_concurrent, whole_number(1));
    r.read(e, path, "daily_usd", limits.daily_usd, number(0.0));
    r.read(e, path, "monthly_usd", limits.monthly_usd, number(0.0));
    std::string on_failure = "allow";
    r.read(e, path, "on_store_failure", on_failure, one_of({"allow", "deny"}));
    limits.deny_on_store_failure = on_failure == "deny";
}

} // namespace

std::optional<KeyLimits> read_key_limits(SectionReader &r, const Entry &entry, const std::string &path) {
    KeyLimits out;
    const std::size_t issues = r.ctx().issues().size();
    const Entries e = r.collect(entry.key, entry.value, path,
                                {"rpm", "tpm", "window", "max_concurrent", "daily_usd", "monthly_usd",
                                 "on_store_failure", "models"});
    read_members(r, e, path, out.key, true);
    out.key.source = r.ctx().file() + ":" + std::to_string(LoadContext::line_of(entry.value));
    if (const Entry *models = SectionReader::find(e, "models")) {
        r.ctx().for_each_free_entry(models->key, models->value, path + ".models",
                                    [&](const std::string &model, const YAML::Node &key_node, const YAML::Node &value) {
            const std::string where = path + ".models." + model;
            const Entries m = r.collect(key_node, value, where,
                                        {"rpm", "tpm", "window", "max_concurrent", "daily_usd", "monthly_usd",
                                         "on_store_failure"});
            Limits limits;
            read_members(r, m, where, limits, true);
            limits.source = r.ctx().file() + ":" + std::to_string(LoadContext::line_of(value));
            if (!limits.any()) {
                r.ctx().report(LoadContext::value_line(key_node, value), where + ": sets no limit");
                return;
            }
            out.models[model] = limits;
        });
    }
    if (r.ctx().issues().size() != issues) return std::nullopt;
    return out;
}

std::optional<Limits> read_provider_limits(SectionReader &r, const Entry &entry, const std::string &path) {
    Limits out;
    const std::size_t issues = r.ctx().issues().size();
    const Entries e = r.collect(entry.key, entry.value, path, {"rpm", "tpm", "window"});
    read_members(r, e, path, out, false);
    out.source = r.ctx().file() + ":" + std::to_string(LoadContext::line_of(entry.value));
    if (r.ctx().issues().size() != issues) return std::nullopt;
    return out;
}

} // namespace helix::config
