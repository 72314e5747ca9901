#pragma once
// Text that holds secrets (a provider's settings with its credentials). Its
// heap buffers are overwritten (OPENSSL_cleanse) before they are freed, on
// destruction and on every reallocation, so that neither freed heap memory
// nor a later reuse of it keeps a credential after the daemon is done with
// it (a reload drops the previous configuration and instances).

#include <openssl/crypto.h>

#include <memory>
#include <string>
#include <string_view>

namespace boost::json { class value; }

namespace helix::config {

// `Upstream` is a stateless allocator (std::allocator; a recording one in tests).
template <class T, class Upstream = std::allocator<T>>
class WipingAllocator {
public:
    using value_type = T;
    template <class U>
    struct rebind {
        using other = WipingAllocator<U, typename std::allocator_traits<Upstream>::template rebind_alloc<U>>;
    };

    WipingAllocator() = default;
    template <class U, class V>
    WipingAllocator(const WipingAllocator<U, V> &) noexcept {}

    T *allocate(std::size_t n) { return Upstream{}.allocate(n); }
    void deallocate(T *p, std::size_t n) noexcept {
        OPENSSL_cleanse(p, n * sizeof(T));
        Upstream{}.deallocate(p, n);
    }

    template <class U, class V>
    bool operator==(const WipingAllocator<U, V> &) const noexcept { return true; }
};

using SecretText = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// A copy on the heap even when short: a string's inline buffer (up to 15
// bytes) is inside the object and would not go through the allocator.
SecretText secret_text(std::string_view text);

// boost::json::serialize into a SecretText, with no unwiped copy on the way.
SecretText serialize_secret(const boost::json::value &value);

} // namespace helix::config
