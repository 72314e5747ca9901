#pragma once
// Document parts (HELIX_PART_DOCUMENT) as the translators need them: the
// source's kind, its media type, its bytes in base64, and a name. Each
// provider then says which media types and which sources it takes.

#include <helixagent/plugin_abi.h>

#include <cstdint>

#include <string>
#include <string_view>

namespace helix::plugin_common {

struct DocumentPart {
    std::uint32_t source = HELIX_SOURCE_UNSET; // HELIX_SOURCE_*
    // Lower-case, parameters dropped: the part's own, else (for a URI) the
    // type its file extension names, else "".
    std::string media_type;
    std::string_view bytes; // HELIX_SOURCE_BYTES
    std::string_view uri;   // HELIX_SOURCE_URL and HELIX_SOURCE_FILE_URI
    std::string_view filename;
};

// Throws HELIX_ERR_INVALID_REQUEST naming `param` for a part without a
// source (or bytes without a media type).
DocumentPart document_part(const helix_content_part &part, const std::string &param);

// The media type a file name or URL's extension says (.pdf, .txt, .md,
// .csv, .html, .doc(x), .xls(x), .png, .jpg, ...), "" for none.
std::string_view media_type_of_name(std::string_view name);

// Standard base64 (RFC 4648) with padding.
std::string base64_encode(std::string_view bytes);

} // namespace helix::plugin_common
