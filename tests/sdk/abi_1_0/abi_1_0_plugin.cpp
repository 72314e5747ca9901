// A plugin as a third party built it against ABI 1.0: it includes the frozen
// copy of the 1.0 header (plugin_abi_1_0.h, the old contract) and exports only
// the 1.0 entry point. A 2.x host must refuse it by name; the 1.0 host
// harness (old_host_harness.cpp) serves it, which proves the harness is one.
#include "plugin_abi_1_0.h"

#include <cstring>

namespace {

struct Plugin {
    helix_model_info model{};
};

helix_str lit(const char *s) { return helix_str{s, std::strlen(s)}; }

helix_plugin *create(const helix_host *, helix_error *) {
    auto *p = new Plugin;
    p->model.struct_size = sizeof p->model;
    p->model.id = lit("old-1");
    p->model.upstream_id = lit("old-1");
    p->model.capabilities = HELIX_MODEL_STREAMING;
    return reinterpret_cast<helix_plugin *>(p);
}
void destroy(helix_plugin *p) { delete reinterpret_cast<Plugin *>(p); }
helix_status list_models(helix_plugin *p, const helix_model_info **models, size_t *count, helix_error *) {
    *models = &reinterpret_cast<Plugin *>(p)->model;
    *count = 1;
    return HELIX_OK;
}
helix_status prepare(helix_plugin *, const helix_chat_request *, helix_call **, helix_http_request *, helix_error *) {
    return HELIX_ERR_NOT_SUPPORTED;
}
helix_status decode(helix_call *, const helix_http_response *, const helix_event_sink *, helix_error *) {
    return HELIX_ERR_INTERNAL;
}
helix_status finish(helix_call *, const helix_event_sink *, helix_error *) { return HELIX_ERR_INTERNAL; }
void call_free(helix_call *) {}

helix_plugin_descriptor make() {
    helix_plugin_descriptor d{};
    d.struct_size = sizeof d;
    d.abi_major = HELIX_ABI_MAJOR;
    d.abi_minor = HELIX_ABI_MINOR;
    d.name = "old_one";
    d.version = "1.0.0";
    d.thread_safety = HELIX_THREADS_CONCURRENT_CALLS;
    d.create = create;
    d.destroy = destroy;
    d.list_models = list_models;
    d.prepare = prepare;
    d.decode = decode;
    d.finish = finish;
    d.call_free = call_free;
    return d;
}

const helix_plugin_descriptor descriptor = make();

} // namespace

extern "C" HELIX_PLUGIN_EXPORT_ATTR const helix_plugin_descriptor *helix_plugin_entry(uint32_t, uint32_t) {
    return &descriptor;
}
