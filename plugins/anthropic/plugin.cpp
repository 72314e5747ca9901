// libhelix_anthropic.so: the plugin's one exported symbol.
#include "plugins/anthropic/anthropic_provider.hpp"

HELIX_PLUGIN(helix::anthropic::AnthropicProvider, "anthropic", "1.0.0")
