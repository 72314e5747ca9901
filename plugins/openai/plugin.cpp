// libhelix_openai.so: the plugin's one exported symbol.
#include "plugins/openai/openai_provider.hpp"

HELIX_PLUGIN(helix::openai::OpenAiProvider, "openai", "1.0.0")
