#include "daemon/config/key_digest.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace helix::config {

namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm from the provider
// store on every call (a name lookup under a lock); every request's key
// check paid for it. The algorithm is fetched once, and each thread keeps
// one digest context.
const EVP_MD *sha256() {
    static EVP_MD *const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

struct ContextFree {
    void operator()(EVP_MD_CTX *context) const { EVP_MD_CTX_free(context); }
};

EVP_MD_CTX *thread_context() {
    thread_local const std::unique_ptr<EVP_MD_CTX, ContextFree> context(EVP_MD_CTX_new());
    return context.get();
}

} // namespace

KeyDigest digest_of_key(std::string_view key) {
    KeyDigest d{};
    const EVP_MD *md = sha256();
    EVP_MD_CTX *context = thread_context();
    unsigned int length = 0;
    if (md == nullptr || context == nullptr || EVP_DigestInit_ex2(context, md, nullptr) != 1 ||
        EVP_DigestUpdate(context, key.data(), key.size()) != 1 || EVP_DigestFinal_ex(context, d.data(), &length) != 1 ||
        length != d.size())
        throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
    return d;
}

} // namespace helix::config
