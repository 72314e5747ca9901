#include "daemon/config/sections.hpp"

namespace helix::config {
namespace {

// off | stdout | stderr | a file path (relative to the YAML file) in an existing directory.
void read_access_target(SectionReader &r, const Scalar &value, LogSettings &log) {
    if (value.text == "off" || value.text == "stdout" || value.text == "stderr") {
        log.access = value.text;
        return;
    }
    if (value.text.empty() || value.text.back() == '/') {
        r.bad_value(value, "log.access", "off, stdout, stderr or a file path");
        return;
    }
    const std::filesystem::path path = r.resolve(value.text);
    std::error_code error;
    if (!std::filesystem::is_directory(path.parent_path(), error)) {
        r.ctx().report(value.line, "log.access: directory '" + path.parent_path().string() + "' does not exist");
        return;
    }
    log.access = path.string();
}

} // namespace

void read_log_section(SectionReader &r, const Entry &section, LogSettings &log) {
    const Entries e = r.collect(section.key, section.value, "log", {"level", "format", "access", "access_content"});
    r.read(e, "log", "level", log.level,
           one_of({"trace", "debug", "information", "notice", "warning", "error", "critical", "fatal"}));
    r.read(e, "log", "format", log.format, one_of({"text", "json"}));
    if (const Entry *entry = SectionReader::find(e, "access"))
        if (const auto value = r.scalar(*entry, "log.access", "access")) read_access_target(r, *value, log);
    r.read(e, "log", "access_content", log.access_content, boolean());
}

} // namespace helix::config
