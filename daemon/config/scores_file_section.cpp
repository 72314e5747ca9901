#include "daemon/config/sections.hpp"

#include <cmath>

namespace helix::config {

// LLMsVerifier-style verifier scores, higher is better, read with the
// configuration (and so reloaded with it).
void read_scores_file_section(SectionReader &r, const Entry &section, Config &config) {
    LoadContext &ctx = r.ctx();
    const auto value = r.scalar(section, "scores_file", "scores_file");
    if (!value || value->text.empty()) return;
    const std::string path = r.resolve(value->text).string();
    config.scores_file = path;
    YAML::Node scores;
    try {
        scores = YAML::LoadFile(path);
    } catch (const YAML::BadFile &) {
        ctx.report(value->line, "scores_file: cannot read '" + path + "'");
        return;
    } catch (const YAML::Exception &e) {
        ctx.report(value->line, "scores_file: '" + path + "':" + std::to_string(e.mark.line + 1) + ": " + e.msg);
        return;
    }
    if (scores.IsNull()) return;
    if (!scores.IsMap()) {
        ctx.report(value->line, "scores_file: '" + path + "' must be a map of provider/model: score");
        return;
    }
    for (const auto &item : scores) {
        const std::string target = item.first.as<std::string>("");
        double score = 0;
        bool ok = item.second.IsScalar() && target.find('/') != std::string::npos;
        if (ok) {
            try {
                score = item.second.as<double>();
                ok = std::isfinite(score);
            } catch (const YAML::Exception &) {
                ok = false;
            }
        }
        if (!ok) {
            ctx.report(value->line, "scores_file: '" + path + "':" + std::to_string(item.first.Mark().line + 1) +
                                        ": expected provider/model: number");
            continue;
        }
        config.scores[target] = score;
    }
}

} // namespace helix::config
