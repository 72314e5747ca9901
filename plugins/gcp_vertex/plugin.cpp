#include "plugins/gcp_vertex/vertex_provider.hpp"

HELIX_PLUGIN(helix::gcp_vertex::VertexProvider, "gcp_vertex", "1.0.0")
