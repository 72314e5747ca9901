#include "plugins/common/local_file.hpp"

#include <helixagent/plugin.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace helix::plugin_common {

std::optional<std::string> read_local_file(const std::string &path, std::size_t max_bytes, std::string_view what) {
    const auto fail = [&](const std::string &why) {
        throw helix::sdk::Error(HELIX_ERR_CONFIG, "cannot read the " + std::string(what) + " '" + path + "': " + why);
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        fail(std::strerror(errno));
    }
    std::string bytes;
    char buffer[16384];
    for (;;) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        if (n > 0) {
            if (bytes.size() + n > max_bytes) fail("larger than " + std::to_string(max_bytes) + " bytes");
            bytes.append(buffer, n);
        }
        if (n < sizeof buffer) {
            if (std::ferror(file.get()) != 0) fail("read error (is it a directory?)");
            break;
        }
    }
    return bytes;
}

} // namespace helix::plugin_common
