/*
 * HelixAgent provider plugin ABI.
 *
 * This header is the whole contract between helixagentd (the host) and a
 * provider plugin (a shared library). It is plain C so that any compiler and
 * any C++ standard library on either side work together.
 *
 * A plugin is a translator, not a client: it never opens a socket or starts a
 * thread. prepare() turns a canonical chat request into one upstream HTTP
 * request; the host sends it and pushes the response bytes into decode() as
 * they arrive; decode() turns them into canonical events. Side requests (an
 * OAuth token, instance-metadata credentials) go through host->http_fetch.
 *
 * Rules that hold for every function below:
 *  - Strings are pointer + length (helix_str), not NUL-terminated unless said.
 *    Arrays are pointer + count.
 *  - Memory is freed by whoever allocated it. Memory passed into a call (or a
 *    callback) is valid only for that call. Memory a plugin returns stays valid
 *    until the next call on the same handle, or until that handle is freed.
 *  - Errors are a helix_status plus a caller-owned helix_error the callee may
 *    fill. No C++ exception ever crosses this boundary.
 *  - Every struct that crosses starts with struct_size. Structs only grow, by
 *    appending fields; a reader checks struct_size before reading a field that
 *    was added after the version it was built against.
 *  - Optional functions are NULL pointers, never flags.
 *
 * Versioning: HELIX_ABI_MAJOR changes only when the meaning or layout of an
 * existing field changes; HELIX_ABI_MINOR when fields or enum values are
 * appended. A host accepts a plugin whose major equals its own and whose minor
 * is not greater than its own.
 */
#ifndef HELIXAGENT_PLUGIN_ABI_H
#define HELIXAGENT_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HELIX_ABI_MAJOR 1u
#define HELIX_ABI_MINOR 0u

/* The one symbol a plugin exports; see helix_plugin_entry_fn. */
#define HELIX_PLUGIN_ENTRY_SYMBOL "helix_plugin_entry"

#if defined(__GNUC__)
#define HELIX_PLUGIN_EXPORT_ATTR __attribute__((visibility("default")))
#else
#define HELIX_PLUGIN_EXPORT_ATTR
#endif

/* ------------------------------------------------------------------------ */
/* Basic types                                                              */

typedef struct helix_str {
    const char *data; /* may be NULL when len == 0 */
    size_t len;
} helix_str;

typedef struct helix_header {
    helix_str name;
    helix_str value;
} helix_header;

typedef enum helix_status {
    HELIX_OK = 0,
    /* The request cannot be expressed for this provider (client error, 400). */
    HELIX_ERR_INVALID_REQUEST = 1,
    /* A feature the request needs is not supported by this provider (400). */
    HELIX_ERR_NOT_SUPPORTED = 2,
    /* Transient upstream failure: the host may retry or fail over. */
    HELIX_ERR_RETRY = 3,
    /* Upstream rejected the credentials. The plugin has dropped any cached
       token; the host may call prepare() once more before failing over. */
    HELIX_ERR_AUTH = 4,
    /* Upstream answered with a permanent error (not worth a retry). */
    HELIX_ERR_UPSTREAM = 5,
    /* Upstream bytes do not follow the protocol (bad JSON, bad frame, CRC). */
    HELIX_ERR_PROTOCOL = 6,
    /* Plugin configuration is missing or invalid. */
    HELIX_ERR_CONFIG = 7,
    /* A bug or resource failure inside the plugin. */
    HELIX_ERR_INTERNAL = 8
} helix_status;

#define HELIX_ERROR_CODE_MAX 64
#define HELIX_ERROR_MESSAGE_MAX 512

/* Filled by the callee when it returns a status other than HELIX_OK. The caller
   zero-initialises it and sets struct_size. Strings are NUL-terminated and
   truncated to fit. Messages never contain secrets. */
typedef struct helix_error {
    uint32_t struct_size;
    /* HTTP status the client should see, or 0 to let the host choose. */
    int32_t http_status;
    /* Delay the upstream asked for (Retry-After, retry-after-ms), or 0. */
    uint32_t retry_after_ms;
    /* OpenAI error.code, e.g. "content_filter", "rate_limit_exceeded"; may be empty. */
    char code[HELIX_ERROR_CODE_MAX];
    /* OpenAI error.param the error is about, e.g. "messages[2].content"; may be empty. */
    char param[HELIX_ERROR_CODE_MAX];
    char message[HELIX_ERROR_MESSAGE_MAX];
} helix_error;

typedef enum helix_log_level {
    HELIX_LOG_DEBUG = 0,
    HELIX_LOG_INFO = 1,
    HELIX_LOG_WARNING = 2,
    HELIX_LOG_ERROR = 3
} helix_log_level;

/* ------------------------------------------------------------------------ */
/* The canonical chat request (what the host parsed from the client)         */

typedef enum helix_role {
    HELIX_ROLE_SYSTEM = 0,
    HELIX_ROLE_DEVELOPER = 1,
    HELIX_ROLE_USER = 2,
    HELIX_ROLE_ASSISTANT = 3,
    HELIX_ROLE_TOOL = 4
} helix_role;

typedef enum helix_part_type {
    HELIX_PART_TEXT = 0,
    /* image_url holds an https URL or a data: URI exactly as the client sent it. */
    HELIX_PART_IMAGE_URL = 1
} helix_part_type;

typedef struct helix_content_part {
    uint32_t struct_size;
    helix_part_type type;
    helix_str text;      /* HELIX_PART_TEXT */
    helix_str image_url; /* HELIX_PART_IMAGE_URL */
    helix_str detail;    /* "auto" | "low" | "high" or empty */
} helix_content_part;

typedef struct helix_tool_call {
    uint32_t struct_size;
    helix_str id;
    helix_str name;
    helix_str arguments; /* JSON text, as the model produced it */
} helix_tool_call;

typedef struct helix_message {
    uint32_t struct_size;
    helix_role role;
    helix_str name;
    /* Content is either plain text (parts == NULL) or a list of parts. */
    helix_str text;
    const helix_content_part *parts;
    size_t part_count;
    /* Assistant messages: the tool calls the model made. */
    const helix_tool_call *tool_calls;
    size_t tool_call_count;
    /* Tool messages: the call this result answers. */
    helix_str tool_call_id;
} helix_message;

typedef struct helix_tool {
    uint32_t struct_size;
    helix_str name;
    helix_str description;
    helix_str parameters_json; /* JSON Schema object as text; empty = none */
    int32_t strict;            /* 0 or 1 */
} helix_tool;

typedef enum helix_tool_choice {
    HELIX_TOOL_CHOICE_UNSET = 0, /* provider default */
    HELIX_TOOL_CHOICE_NONE = 1,
    HELIX_TOOL_CHOICE_AUTO = 2,
    HELIX_TOOL_CHOICE_REQUIRED = 3,
    HELIX_TOOL_CHOICE_NAMED = 4 /* tool_choice_name says which */
} helix_tool_choice;

typedef enum helix_response_format {
    HELIX_FORMAT_UNSET = 0,
    HELIX_FORMAT_TEXT = 1,
    HELIX_FORMAT_JSON_OBJECT = 2,
    HELIX_FORMAT_JSON_SCHEMA = 3 /* response_schema_json holds the json_schema object */
} helix_response_format;

/* Bits of helix_chat_request.present: which optional scalars were given. */
#define HELIX_HAS_MAX_TOKENS  (1u << 0)
#define HELIX_HAS_TEMPERATURE (1u << 1)
#define HELIX_HAS_TOP_P       (1u << 2)
#define HELIX_HAS_SEED        (1u << 3)

typedef struct helix_chat_request {
    uint32_t struct_size;
    /* Model id as the provider knows it (the host has already mapped aliases). */
    helix_str model;
    const helix_message *messages;
    size_t message_count;
    const helix_tool *tools;
    size_t tool_count;
    helix_tool_choice tool_choice;
    helix_str tool_choice_name;
    int32_t parallel_tool_calls; /* -1 unset, 0 false, 1 true */
    int32_t stream;              /* 0 or 1 */
    int32_t include_usage;       /* stream_options.include_usage */
    uint32_t present;            /* HELIX_HAS_* bits */
    int64_t max_tokens;
    double temperature;
    double top_p;
    int64_t seed;
    const helix_str *stop;
    size_t stop_count;
    uint32_t n; /* number of choices; 1 when not given */
    helix_response_format response_format;
    helix_str response_schema_json;
    helix_str user;
    /* The client's original JSON body, for providers that speak OpenAI's
       dialect and forward fields the canonical form does not model. */
    helix_str original_body;
} helix_chat_request;

/* ------------------------------------------------------------------------ */
/* HTTP as the plugin describes it to the host                               */

typedef struct helix_http_request {
    uint32_t struct_size;
    helix_str method;        /* "POST" */
    helix_str url;           /* absolute: https://host[:port]/path?query */
    const helix_header *headers;
    size_t header_count;
    helix_str body;
    /* 1 if the response is a stream the host must feed to decode() as it
       arrives rather than all at once; advisory, the host may do either. */
    int32_t streaming_response;
} helix_http_request;

/* One piece of the upstream response. status and headers are the same on
   every call for one response; data is the next run of body bytes (may be
   empty, e.g. on the first call when headers arrive). */
typedef struct helix_http_response {
    uint32_t struct_size;
    int32_t status;
    const helix_header *headers;
    size_t header_count;
    const uint8_t *data;
    size_t len;
} helix_http_response;

/* ------------------------------------------------------------------------ */
/* Canonical events (what decode() produces)                                */

typedef enum helix_event_type {
    /* The upstream response's id and served model are known. */
    HELIX_EVENT_START = 0,
    /* Assistant text for choice `choice`. */
    HELIX_EVENT_TEXT_DELTA = 1,
    /* Part of a tool call. The first delta of a call carries id and name;
       later ones carry only argument text. tool_index counts calls within
       the choice from 0, in the order the model started them. */
    HELIX_EVENT_TOOL_CALL_DELTA = 2,
    /* Choice `choice` is complete; finish_reason says why. */
    HELIX_EVENT_FINISH = 3,
    /* Token counts; may arrive more than once, the last values win. */
    HELIX_EVENT_USAGE = 4,
    /* A provider-specific JSON member to keep on the OpenAI object, e.g.
       Azure's content_filter_results: name = member, json = its value. */
    HELIX_EVENT_EXTRA = 5
} helix_event_type;

typedef enum helix_finish_reason {
    HELIX_FINISH_NONE = 0,
    HELIX_FINISH_STOP = 1,
    HELIX_FINISH_LENGTH = 2,
    HELIX_FINISH_TOOL_CALLS = 3,
    HELIX_FINISH_CONTENT_FILTER = 4
} helix_finish_reason;

typedef struct helix_event {
    uint32_t struct_size;
    helix_event_type type;
    uint32_t choice;
    /* START */
    helix_str response_id;
    helix_str model;
    /* TEXT_DELTA */
    helix_str text;
    /* TOOL_CALL_DELTA */
    uint32_t tool_index;
    helix_str tool_call_id;
    helix_str tool_name;
    helix_str tool_arguments;
    /* FINISH */
    helix_finish_reason finish_reason;
    /* USAGE */
    int64_t prompt_tokens;
    int64_t completion_tokens;
    int64_t cached_tokens;
    /* EXTRA */
    helix_str name;
    helix_str json;
} helix_event;

/* Receives events during decode() and finish(). The event and everything it
   points to are valid only during the call. Returns 0 to go on, non-zero to
   ask the plugin to stop decoding (the client went away). */
typedef struct helix_event_sink {
    uint32_t struct_size;
    void *ctx;
    int (*emit)(void *ctx, const helix_event *event);
} helix_event_sink;

/* ------------------------------------------------------------------------ */
/* Services the host offers to a plugin                                     */

/* The response to a side request; valid during the callback only. */
typedef void (*helix_fetch_callback)(void *user, const helix_http_response *response);

typedef struct helix_host {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    void *ctx; /* passed back as the first argument of every function here */

    /* Required. Thread-safe. msg need not be NUL-terminated; never pass secrets. */
    void (*log)(void *ctx, helix_log_level level, helix_str msg);

    /* Required. Thread-safe, blocking: performs one side request (token
       exchange, credentials endpoint) with the host's TLS, proxy and pool
       settings, and calls on_response once with the whole response before
       returning HELIX_OK. timeout_ms == 0 means the host default. Connection
       failures and timeouts return HELIX_ERR_RETRY with err filled. */
    helix_status (*http_fetch)(void *ctx, const helix_http_request *request, uint32_t timeout_ms,
                               helix_fetch_callback on_response, void *user, helix_error *err);

    /* Required. Wall-clock time (for signatures and expiry), milliseconds
       since the Unix epoch. The host may fake it in tests. */
    int64_t (*now_unix_ms)(void *ctx);

    /* Required. The plugin's own configuration section as a JSON object
       (YAML converted, environment references expanded). Valid until destroy. */
    helix_str (*config_json)(void *ctx);
} helix_host;

/* ------------------------------------------------------------------------ */
/* What a plugin offers                                                     */

typedef struct helix_plugin helix_plugin; /* one configured provider instance */
typedef struct helix_call helix_call;     /* one upstream call */

typedef enum helix_thread_safety {
    /* Every function may be called concurrently on different calls of the
       same instance; one call is used by one thread at a time. */
    HELIX_THREADS_CONCURRENT_CALLS = 1,
    /* The host serialises all calls into one instance. */
    HELIX_THREADS_SERIALIZED = 2
} helix_thread_safety;

#define HELIX_MODEL_STREAMING (1u << 0)
#define HELIX_MODEL_TOOLS     (1u << 1)
#define HELIX_MODEL_VISION    (1u << 2)
#define HELIX_MODEL_MULTIPLE_CHOICES (1u << 3) /* n > 1 */

typedef struct helix_model_info {
    uint32_t struct_size;
    helix_str id;          /* the name clients use after "provider/" */
    helix_str upstream_id; /* the id sent upstream; may equal id */
    uint32_t capabilities; /* HELIX_MODEL_* bits */
    int64_t context_window;
} helix_model_info;

typedef enum helix_health {
    HELIX_HEALTH_OK = 0,
    HELIX_HEALTH_DEGRADED = 1, /* works, e.g. credentials expire soon */
    HELIX_HEALTH_FAILING = 2   /* cannot serve, e.g. no credentials */
} helix_health;

typedef struct helix_plugin_descriptor {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *name;    /* NUL-terminated, e.g. "aws_bedrock" */
    const char *version; /* NUL-terminated, e.g. "1.2.0" */
    helix_thread_safety thread_safety;

    /* Required. Creates an instance configured from host->config_json. host
       stays valid until destroy. On failure returns NULL and fills err. */
    helix_plugin *(*create)(const helix_host *host, helix_error *err);

    /* Required. Frees the instance; every call of it has been freed before. */
    void (*destroy)(helix_plugin *plugin);

    /* Required. The models this instance serves. The array stays valid until
       destroy. */
    helix_status (*list_models)(helix_plugin *plugin, const helix_model_info **models,
                                size_t *count, helix_error *err);

    /* Required. Starts one upstream call: translates request into *out (whose
       memory stays valid until call_free) and returns the call in *call. May
       block on host->http_fetch to obtain credentials. */
    helix_status (*prepare)(helix_plugin *plugin, const helix_chat_request *request,
                            helix_call **call, helix_http_request *out, helix_error *err);

    /* Required. Feeds the next piece of the upstream response; may emit any
       number of events. A non-OK status is sticky: the call is over. */
    helix_status (*decode)(helix_call *call, const helix_http_response *response,
                           const helix_event_sink *sink, helix_error *err);

    /* Required. The upstream response ended. Emits what is still pending and
       reports a truncated or otherwise incomplete response as an error. */
    helix_status (*finish)(helix_call *call, const helix_event_sink *sink, helix_error *err);

    /* Required. Frees a call, whether it finished, failed or was abandoned. */
    void (*call_free)(helix_call *call);

    /* Optional. Cheap, no I/O: can this instance serve now (credentials
       present and unexpired)? detail, if given, receives a short reason. */
    helix_health (*health)(helix_plugin *plugin, helix_error *detail);

    /* Optional. Checks a configuration section (JSON) without creating an
       instance, so that `helixagentd --check-config` reports plugin errors. */
    helix_status (*validate_config)(helix_str config_json, helix_error *err);
} helix_plugin_descriptor;

/* The smallest descriptor a 1.0 host can use: up to and including call_free. */
#define HELIX_DESCRIPTOR_MIN_SIZE_1_0 \
    (offsetof(helix_plugin_descriptor, call_free) + sizeof(void (*)(helix_call *)))

/* The exported entry point. The host passes the ABI it speaks; the plugin
   returns its descriptor (static storage, valid while the library is loaded),
   or NULL if it cannot work with that host. */
typedef const helix_plugin_descriptor *(*helix_plugin_entry_fn)(uint32_t host_abi_major,
                                                                uint32_t host_abi_minor);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HELIXAGENT_PLUGIN_ABI_H */
