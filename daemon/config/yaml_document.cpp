#include "daemon/config/yaml_document.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <string>

namespace helix::config {
namespace {

// Counts a file's documents up to the second and finds the line of its root.
class SecondDocument final : public YAML::EventHandler {
public:
    int documents = 0;
    int line = 0; // of the second document's root node, 1-based; 0 if unknown

    void OnDocumentStart(const YAML::Mark &) override { ++documents; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t, const std::string &) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark &mark) {
        if (documents == 2 && !root_seen_) {
            root_seen_ = true;
            line = mark.line >= 0 ? mark.line + 1 : 0;
        }
    }
    bool root_seen_ = false;
};

} // namespace

YAML::Node parse_single_document(std::string_view yaml, LoadContext &ctx) {
    const std::string text{yaml};
    SecondDocument counted;
    YAML::Node root;
    try {
        std::istringstream in(text);
        YAML::Parser parser(in);
        while (counted.documents < 2 && parser.HandleNextDocument(counted)) {
        }
        if (counted.documents > 0) root = YAML::Load(text);
    } catch (const YAML::Exception &error) {
        // yaml-cpp's messages describe the grammar, not the text, so they carry no secret.
        const int line = error.mark.line >= 0 ? error.mark.line + 1 : 0;
        throw ConfigError({ConfigIssue{ctx.file(), line, "YAML syntax error: " + error.msg}});
    }
    if (counted.documents > 1) ctx.report(counted.line, "only one YAML document is allowed per file");
    return root;
}

} // namespace helix::config
