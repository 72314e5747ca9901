// Fuzz target: the YAML configuration loader must turn any bytes into either
// a Config or a ConfigError, never a crash, hang or other exception.
#include "daemon/config/config_error.hpp"
#include "daemon/config/config_loader.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static const helix::config::Environment env{{"HOME", "/root"}, {"AWS_BEDROCK_TIMEOUT", "5s"}};
    const std::string_view yaml(reinterpret_cast<const char *>(data), size);
    try {
        helix::config::load_config_from_string(yaml, "fuzz.yaml", "/tmp", env);
    } catch (const helix::config::ConfigError &) {
        // The expected outcome for most inputs.
    } catch (...) {
        std::abort(); // anything else escaping the loader is a bug
    }
    return 0;
}
