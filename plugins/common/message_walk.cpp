#include "plugins/common/message_walk.hpp"

namespace helix::plugin_common {

std::vector<Turn> walk_messages(const helix_chat_request &r, const MessageTranslator &translator) {
    std::vector<Turn> turns;
    for (std::size_t i = 0; i < r.message_count; ++i) {
        const helix_message &m = *r.messages[i];
        const char *role = "user";
        boost::json::array blocks;
        switch (m.role) {
        case HELIX_ROLE_SYSTEM:
        case HELIX_ROLE_DEVELOPER:
            translator.system(m, i);
            continue;
        case HELIX_ROLE_USER:
            translator.content(m, i, blocks);
            break;
        case HELIX_ROLE_ASSISTANT:
            role = translator.assistant_role;
            translator.content(m, i, blocks);
            for (std::size_t j = 0; j < m.tool_call_count; ++j)
                blocks.push_back(translator.tool_call(*m.tool_calls[j], message_path(i) + ".tool_calls[" + std::to_string(j) + "]"));
            break;
        case HELIX_ROLE_TOOL:
            blocks.push_back(translator.tool_result(m, i));
            break;
        default:
            invalid(message_path(i) + ".role: unknown role " + std::to_string(static_cast<int>(m.role)) +
                        " (expected system, developer, user, assistant or tool)",
                    message_path(i) + ".role");
        }
        if (m.cache_control != HELIX_CACHE_NONE && !blocks.empty() && translator.cache_point)
            translator.cache_point(m.cache_control, blocks);
        append_turn(turns, role, std::move(blocks));
    }
    return turns;
}

} // namespace helix::plugin_common
