/* W3C spellings of the enums. */
#include <peerc/peerc.h>

#include <string.h>

#define NAME_OF(table, v) \
    ((unsigned)(v) < sizeof table / sizeof table[0] && table[v] ? table[v] : "unknown")

const char *peerc_signaling_state_to_string(peerc_signaling_state state)
{
    static const char *names[] = {"stable", "have-local-offer", "have-remote-offer",
                                  "have-local-pranswer", "have-remote-pranswer", "closed"};
    return NAME_OF(names, state);
}

const char *peerc_ice_gathering_state_to_string(peerc_ice_gathering_state state)
{
    static const char *names[] = {"new", "gathering", "complete"};
    return NAME_OF(names, state);
}

const char *peerc_ice_connection_state_to_string(peerc_ice_connection_state state)
{
    static const char *names[] = {"new", "checking", "connected", "completed",
                                  "disconnected", "failed", "closed"};
    return NAME_OF(names, state);
}

const char *peerc_connection_state_to_string(peerc_connection_state state)
{
    static const char *names[] = {"new", "connecting", "connected", "disconnected", "failed",
                                  "closed"};
    return NAME_OF(names, state);
}

const char *peerc_dc_state_to_string(peerc_dc_state state)
{
    static const char *names[] = {"connecting", "open", "closing", "closed"};
    return NAME_OF(names, state);
}

static const char *sdp_type_names[] = {NULL, "offer", "pranswer", "answer", "rollback"};

const char *peerc_sdp_type_to_string(peerc_sdp_type type)
{
    return NAME_OF(sdp_type_names, type);
}

int peerc_sdp_type_from_string(const char *text, peerc_sdp_type *out)
{
    if (!text || !out)
        return PEERC_E_INVALID_ARGUMENT;
    for (int i = PEERC_SDP_OFFER; i <= PEERC_SDP_ROLLBACK; i++) {
        if (strcmp(text, sdp_type_names[i]) == 0) {
            *out = (peerc_sdp_type)i;
            return PEERC_OK;
        }
    }
    return PEERC_E_INVALID_ARGUMENT;
}
