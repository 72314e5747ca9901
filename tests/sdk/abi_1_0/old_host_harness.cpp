// A 1.0 host in miniature: built against the frozen 1.0 header, it loads a
// plugin as helixagentd 1.0 did (entry point, then the 1.0 descriptor checks)
// and, if the plugin passes, serves it: creates an instance and lists its
// models. Prints what happened; exits 0 when served, 1 when refused.
//     old_host_harness PLUGIN.so
#include "plugin_abi_1_0.h"

#include <dlfcn.h>

#include <cstdio>
#include <string>

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: old_host_harness PLUGIN.so\n");
        return 2;
    }
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        std::printf("refused: %s\n", dlerror());
        return 1;
    }
    void *symbol = dlsym(library, HELIX_PLUGIN_ENTRY_SYMBOL);
    if (symbol == nullptr) {
        std::printf("refused: no entry point '%s'\n", HELIX_PLUGIN_ENTRY_SYMBOL);
        return 1;
    }
    helix_plugin_entry_fn entry = nullptr;
    static_assert(sizeof entry == sizeof symbol);
    __builtin_memcpy(&entry, &symbol, sizeof entry);
    const helix_plugin_descriptor *d = entry(HELIX_ABI_MAJOR, HELIX_ABI_MINOR);
    // The checks of the 1.0 loader, in its order and with its words.
    if (d == nullptr) {
        std::printf("refused: plugin refused host ABI 1.0 (its entry point returned no descriptor)\n");
        return 1;
    }
    if (d->struct_size < offsetof(helix_plugin_descriptor, abi_minor) + sizeof d->abi_minor) {
        std::printf("refused: descriptor too small to read its ABI version\n");
        return 1;
    }
    if (d->abi_major != HELIX_ABI_MAJOR) {
        std::printf("refused: ABI major version mismatch: host expects %u.x, plugin was built for %u.%u\n",
                    HELIX_ABI_MAJOR, d->abi_major, d->abi_minor);
        return 1;
    }
    if (d->abi_minor > HELIX_ABI_MINOR || d->struct_size < HELIX_DESCRIPTOR_MIN_SIZE_1_0) {
        std::printf("refused: plugin needs ABI %u.%u\n", d->abi_major, d->abi_minor);
        return 1;
    }
    helix_error err{};
    err.struct_size = sizeof err;
    helix_plugin *plugin = d->create(nullptr, &err);
    if (plugin == nullptr) {
        std::printf("refused: create failed\n");
        return 1;
    }
    const helix_model_info *models = nullptr;
    size_t count = 0;
    if (d->list_models(plugin, &models, &count, &err) != HELIX_OK || count == 0) {
        std::printf("refused: list_models failed\n");
        return 1;
    }
    std::printf("served: %s %s, model %.*s\n", d->name, d->version, static_cast<int>(models[0].id.len),
                models[0].id.data);
    d->destroy(plugin);
    return 0;
}
