// libhelix_aws_bedrock.so: the plugin's one exported symbol.
#include "plugins/aws_bedrock/bedrock_provider.hpp"

HELIX_PLUGIN(helix::aws_bedrock::BedrockProvider, "aws_bedrock", "1.0.0")
