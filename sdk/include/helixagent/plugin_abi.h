/*
 * HelixAgent provider plugin ABI, version 2.
 *
 * This header is the whole contract between helixagentd (the host) and a
 * provider plugin (a shared library). It is plain C so that any compiler and
 * any C++ standard library on either side work together.
 *
 * A plugin is a translator, not a client: it never opens a socket or starts a
 * thread. prepare() turns a canonical request into one upstream HTTP request;
 * the host sends it and pushes the response bytes into decode() as they
 * arrive; decode() turns them into canonical events. Side requests (an OAuth
 * token, instance-metadata credentials) go through host->http_fetch.
 *
 * Rules that hold for every function below:
 *  - Strings are pointer + length (helix_str), not NUL-terminated unless said.
 *  - Every struct that crosses starts with struct_size. Structs only grow, by
 *    appending fields; a reader checks struct_size before reading a field that
 *    was added after the version it was built against
 *    (struct_size >= offsetof(type, field) + sizeof field).
 *  - Arrays of structs that may grow are arrays of POINTERS
 *    (`const helix_message *const *messages`), never contiguous arrays of
 *    structs: the reader indexes the pointer array, whose stride is the size
 *    of a pointer on both sides whatever version either was built for, and
 *    each element carries its own struct_size. (A contiguous array would be
 *    indexed with the reader's sizeof, the wrong stride as soon as the writer's
 *    struct is bigger.) Only helix_str and helix_header, whose layout is frozen
 *    for good, are contiguous arrays.
 *  - Enumerations are stored as fixed-width integers (uint32_t, int32_t), never
 *    as C enum types, whose size the compiler chooses. The value 0 means
 *    "unset" wherever a zeroed struct must be told apart from a real value:
 *    roles, part types, event types and sources start at 1, and the host
 *    refuses an event whose type is 0 (a plugin forgot to set it).
 *  - Memory is freed by whoever allocated it. Memory passed into a call (or a
 *    callback) is valid only for that call. Memory a plugin returns stays valid
 *    until the next call on the same handle, or until that handle is freed.
 *  - Errors are a helix_status plus a caller-owned helix_error the callee may
 *    fill. No C++ exception ever crosses this boundary. A reader of
 *    helix_error's strings bounds them by their buffer size (strnlen), even
 *    though a correct writer NUL-terminates them.
 *  - Optional functions are NULL pointers, never flags.
 *
 * Versioning: HELIX_ABI_MAJOR changes when the meaning or layout of an existing
 * field changes; HELIX_ABI_MINOR when fields or values are appended. The host
 * and the plugin agree on one version at load through helix_plugin_negotiate
 * (below): the host offers a range, the plugin picks a version in it or
 * refuses, saying which side wanted what.
 */
#ifndef HELIXAGENT_PLUGIN_ABI_H
#define HELIXAGENT_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HELIX_ABI_MAJOR 2u
#define HELIX_ABI_MINOR 0u

/* A version as one integer: major in the high 16 bits, minor in the low 16. */
/* (No casts here, so that the macros stay clean under C++ -Wold-style-cast.) */
#define HELIX_MAKE_VERSION(major, minor) (((major) & 0xffffu) * 0x10000u + ((minor) & 0xffffu))
#define HELIX_VERSION_MAJOR(version) (((version) >> 16) & 0xffffu)
#define HELIX_VERSION_MINOR(version) ((version) & 0xffffu)
#define HELIX_ABI_VERSION HELIX_MAKE_VERSION(HELIX_ABI_MAJOR, HELIX_ABI_MINOR)

/* The symbol a 2.x plugin exports; see helix_plugin_negotiate_fn. */
#define HELIX_PLUGIN_NEGOTIATE_SYMBOL "helix_plugin_negotiate"
/* The entry point of ABI 1.x. A 2.x plugin exports it too, returning its 2.x
   descriptor, whose first three fields are where 1.x put them: a 1.x host
   then refuses it with "host expects 1.x, plugin was built for 2.0" instead
   of failing to find a symbol. A 2.x host calls it only on a library without
   the negotiate symbol, to name the version such an old plugin was built for. */
#define HELIX_PLUGIN_ENTRY_SYMBOL "helix_plugin_entry"

#if defined(__GNUC__)
#define HELIX_PLUGIN_EXPORT_ATTR __attribute__((visibility("default")))
#else
#define HELIX_PLUGIN_EXPORT_ATTR
#endif

/* ------------------------------------------------------------------------ */
/* Basic types                                                              */

/* Layout frozen for good (contiguous arrays of it are allowed). */
typedef struct helix_str {
    const char *data; /* may be NULL when len == 0 */
    size_t len;
} helix_str;

/* Layout frozen for good (contiguous arrays of it are allowed). */
typedef struct helix_header {
    helix_str name;
    helix_str value;
} helix_header;

/* The result of a function: HELIX_OK or one of HELIX_ERR_*. */
typedef int32_t helix_status;
enum {
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
    HELIX_ERR_INTERNAL = 8,
    /* The two sides share no ABI version (negotiation only). */
    HELIX_ERR_VERSION = 9,
    /* The call would have to block (a side request, or waiting for another
       thread's token refresh) on a thread that must not block: the host's
       http_fetch on an event loop. prepare() returns it unchanged and leaves
       no state behind (no failure cached, no backoff, no refresh marked as
       running); the host then calls prepare() again on a thread that may
       block. Never a client-visible error. */
    HELIX_ERR_WOULD_BLOCK = 10
};

#define HELIX_ERROR_CODE_MAX 64
#define HELIX_ERROR_MESSAGE_MAX 512

/* Filled by the callee when it returns a status other than HELIX_OK. The caller
   zero-initialises it and sets struct_size. Strings are NUL-terminated and
   truncated to fit. Messages never contain secrets. Layout frozen for good. */
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

/* Values of a log level (uint32_t). */
typedef enum helix_log_level {
    HELIX_LOG_DEBUG = 1,
    HELIX_LOG_INFO = 2,
    HELIX_LOG_WARNING = 3,
    HELIX_LOG_ERROR = 4
} helix_log_level;

/* Values of helix_content_part.cache_control, helix_message.cache_control and
   helix_tool.cache_control: a prompt-cache breakpoint after this element (the
   prefix up to and including it may be cached), as Anthropic and Bedrock
   cache_control / cachePoint mean it. A plugin that does not know a value
   treats it as HELIX_CACHE_EPHEMERAL. */
typedef enum helix_cache_control {
    HELIX_CACHE_NONE = 0,
    HELIX_CACHE_EPHEMERAL = 1,   /* the provider's default lifetime (Anthropic: 5 minutes) */
    HELIX_CACHE_EPHEMERAL_1H = 2 /* Anthropic's "ttl": "1h" (appended) */
} helix_cache_control;

/* ------------------------------------------------------------------------ */
/* The canonical request (what the host parsed from the client)             */

/* Values of helix_message.role (uint32_t); 0 is unset and never valid. */
typedef enum helix_role {
    HELIX_ROLE_UNSET = 0,
    HELIX_ROLE_SYSTEM = 1,
    HELIX_ROLE_DEVELOPER = 2,
    HELIX_ROLE_USER = 3,
    HELIX_ROLE_ASSISTANT = 4,
    HELIX_ROLE_TOOL = 5
} helix_role;

/* Values of helix_content_part.type (uint32_t); 0 is unset and never valid. */
typedef enum helix_part_type {
    HELIX_PART_UNSET = 0,
    HELIX_PART_TEXT = 1,
    /* image_url holds an https URL or a data: URI exactly as the client sent it. */
    HELIX_PART_IMAGE_URL = 2,
    /* An image given by source: bytes, URL or provider file URI. */
    HELIX_PART_IMAGE = 3,
    /* A document (PDF, text, ...) given by source. */
    HELIX_PART_DOCUMENT = 4
} helix_part_type;

/* Values of helix_content_part.source (uint32_t). */
typedef enum helix_source_kind {
    HELIX_SOURCE_UNSET = 0,
    HELIX_SOURCE_BYTES = 1,    /* data / data_len: the decoded bytes */
    HELIX_SOURCE_URL = 2,      /* uri: an https URL */
    HELIX_SOURCE_FILE_URI = 3  /* uri: a provider file id or URI (gs://..., file-abc) */
} helix_source_kind;

typedef struct helix_content_part {
    uint32_t struct_size;
    uint32_t type;       /* HELIX_PART_* */
    helix_str text;      /* HELIX_PART_TEXT */
    helix_str image_url; /* HELIX_PART_IMAGE_URL */
    helix_str detail;    /* "auto" | "low" | "high" or empty */
    /* HELIX_PART_IMAGE and HELIX_PART_DOCUMENT */
    uint32_t source;      /* HELIX_SOURCE_* */
    helix_str media_type; /* "image/png", "application/pdf"; may be empty for URL / FILE_URI */
    const uint8_t *data;  /* HELIX_SOURCE_BYTES */
    size_t data_len;
    helix_str uri;        /* HELIX_SOURCE_URL and HELIX_SOURCE_FILE_URI */
    helix_str filename;   /* documents: the client's file name, may be empty */
    uint32_t cache_control; /* HELIX_CACHE_* */
} helix_content_part;

typedef struct helix_tool_call {
    uint32_t struct_size;
    helix_str id;
    helix_str name;
    helix_str arguments; /* JSON text, as the model produced it */
    /* Reasoning round trip (appended): an opaque signature the provider put
       on this call (Gemini's thoughtSignature on a functionCall part), to be
       sent back with it byte for byte; empty for none. */
    helix_str signature;
} helix_tool_call;

/* Values of helix_reasoning_block.kind (uint32_t). */
typedef enum helix_reasoning_kind {
    HELIX_REASONING_UNSET = 0,
    HELIX_REASONING_TEXT = 1,    /* text (+ signature) */
    HELIX_REASONING_REDACTED = 2 /* redacted_data only */
} helix_reasoning_kind;

/* An earlier assistant turn's reasoning, sent back so that the provider can
   continue it. signature and redacted_data are opaque and must reach the
   provider byte for byte as it produced them. */
typedef struct helix_reasoning_block {
    uint32_t struct_size;
    uint32_t kind; /* HELIX_REASONING_* */
    helix_str text;
    helix_str signature;
    helix_str redacted_data;
    /* Reasoning round trip (appended): the dialect that produced the block
       (the reasoning_format of its events, e.g. "anthropic-claude-v1"); a
       plugin leaves out blocks of another non-empty format, whose signatures
       its provider would refuse. */
    helix_str format;
} helix_reasoning_block;

typedef struct helix_message {
    uint32_t struct_size;
    uint32_t role; /* HELIX_ROLE_* */
    helix_str name;
    /* Content is either plain text (parts == NULL) or a list of parts. */
    helix_str text;
    const helix_content_part *const *parts;
    size_t part_count;
    /* Assistant messages: the tool calls the model made. */
    const helix_tool_call *const *tool_calls;
    size_t tool_call_count;
    /* Tool messages: the call this result answers. */
    helix_str tool_call_id;
    /* Assistant messages: reasoning blocks, in the order the model produced them. */
    const helix_reasoning_block *const *reasoning;
    size_t reasoning_count;
    uint32_t cache_control; /* HELIX_CACHE_*: a breakpoint after this message */
} helix_message;

typedef struct helix_tool {
    uint32_t struct_size;
    helix_str name;
    helix_str description;
    helix_str parameters_json; /* JSON Schema object as text; empty = none */
    int32_t strict;            /* 0 or 1 */
    uint32_t cache_control;    /* HELIX_CACHE_*: a breakpoint after this tool */
} helix_tool;

/* Values of helix_chat_request.tool_choice (uint32_t). */
typedef enum helix_tool_choice {
    HELIX_TOOL_CHOICE_UNSET = 0, /* provider default */
    HELIX_TOOL_CHOICE_NONE = 1,
    HELIX_TOOL_CHOICE_AUTO = 2,
    HELIX_TOOL_CHOICE_REQUIRED = 3,
    HELIX_TOOL_CHOICE_NAMED = 4 /* tool_choice_name says which */
} helix_tool_choice;

/* Values of helix_chat_request.response_format (uint32_t). */
typedef enum helix_response_format {
    HELIX_FORMAT_UNSET = 0,
    HELIX_FORMAT_TEXT = 1,
    HELIX_FORMAT_JSON_OBJECT = 2,
    HELIX_FORMAT_JSON_SCHEMA = 3 /* response_schema_json holds the json_schema object */
} helix_response_format;

/* Values of helix_chat_request.reasoning_effort (uint32_t). */
typedef enum helix_reasoning_effort {
    HELIX_EFFORT_UNSET = 0,
    HELIX_EFFORT_MINIMAL = 1,
    HELIX_EFFORT_LOW = 2,
    HELIX_EFFORT_MEDIUM = 3,
    HELIX_EFFORT_HIGH = 4
} helix_reasoning_effort;

/* Bits of helix_chat_request.present: which optional scalars were given. */
#define HELIX_HAS_MAX_TOKENS  (1u << 0)
#define HELIX_HAS_TEMPERATURE (1u << 1)
#define HELIX_HAS_TOP_P       (1u << 2)
#define HELIX_HAS_SEED        (1u << 3)
#define HELIX_HAS_REASONING_BUDGET (1u << 4)

typedef struct helix_chat_request {
    uint32_t struct_size;
    /* Model id as the provider knows it (the host has already mapped aliases). */
    helix_str model;
    const helix_message *const *messages;
    size_t message_count;
    const helix_tool *const *tools;
    size_t tool_count;
    uint32_t tool_choice; /* HELIX_TOOL_CHOICE_* */
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
    uint32_t response_format; /* HELIX_FORMAT_* */
    helix_str response_schema_json;
    helix_str user;
    /* The client's original JSON body, for providers that speak OpenAI's
       dialect and forward fields the canonical form does not model. */
    helix_str original_body;
    /* Reasoning: an effort, a token budget (HELIX_HAS_REASONING_BUDGET), or both. */
    uint32_t reasoning_effort; /* HELIX_EFFORT_* */
    int64_t reasoning_budget_tokens;
} helix_chat_request;

/* Values of helix_embeddings_request.encoding (uint32_t). */
typedef enum helix_embedding_encoding {
    HELIX_ENCODING_UNSET = 0, /* float */
    HELIX_ENCODING_FLOAT = 1,
    HELIX_ENCODING_BASE64 = 2 /* the host encodes the floats; plugins emit floats either way */
} helix_embedding_encoding;

/* One input of an embeddings request: text, or a list of token ids. */
typedef struct helix_embedding_input {
    uint32_t struct_size;
    helix_str text;        /* when tokens == NULL */
    const int64_t *tokens; /* token ids, when given as tokens */
    size_t token_count;
} helix_embedding_input;

typedef struct helix_embeddings_request {
    uint32_t struct_size;
    helix_str model;
    const helix_embedding_input *const *inputs;
    size_t input_count;
    uint32_t dimensions; /* 0 = the model's default */
    uint32_t encoding;   /* HELIX_ENCODING_* */
    helix_str user;
    helix_str original_body;
} helix_embeddings_request;

/* Values of helix_request.operation (uint32_t); more may follow. */
typedef enum helix_operation {
    HELIX_OP_UNSET = 0,
    HELIX_OP_CHAT = 1,      /* chat points to the request */
    HELIX_OP_EMBEDDINGS = 2, /* embeddings points to the request */
    HELIX_OP_MESSAGES = 3    /* messages points to the request */
} helix_operation;

/* Values of helix_messages_request.action (uint32_t). */
typedef enum helix_messages_action {
    HELIX_MESSAGES_UNSET = 0,
    HELIX_MESSAGES_CREATE = 1,      /* POST /v1/messages */
    HELIX_MESSAGES_COUNT_TOKENS = 2 /* POST /v1/messages/count_tokens */
} helix_messages_action;

/* HELIX_OP_MESSAGES: a request in Anthropic's Messages API shape,
   passed through to a model that speaks it natively (HELIX_MODEL_MESSAGES:
   Claude on Anthropic's API, Bedrock InvokeModel, Vertex rawPredict). The
   host has validated body; the plugin changes only what its upstream needs
   (model, stream, anthropic_version, anthropic_beta) and keeps every other
   member as the client sent it (thinking signatures, cache_control, ...).
   It answers with HELIX_EVENT_MESSAGES events, never with the chat events. */
typedef struct helix_messages_request {
    uint32_t struct_size;
    uint32_t action;  /* HELIX_MESSAGES_* */
    helix_str model;  /* the upstream model id (replaces the body's "model") */
    helix_str body;   /* the client's JSON body */
    int32_t stream;   /* the body's "stream" is true */
    /* The client's anthropic-version header (empty: the plugin's default)
       and its anthropic-beta values, split at commas, in the order sent. */
    helix_str anthropic_version;
    const helix_str *anthropic_beta;
    size_t anthropic_beta_count;
} helix_messages_request;

/* What prepare() receives: one operation and its request. */
typedef struct helix_request {
    uint32_t struct_size;
    uint32_t operation; /* HELIX_OP_* */
    const helix_chat_request *chat;
    const helix_embeddings_request *embeddings;
    const helix_messages_request *messages; /* HELIX_OP_MESSAGES (appended) */
} helix_request;

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

/* Values of helix_event.type (uint32_t); 0 is unset and refused by the host. */
typedef enum helix_event_type {
    HELIX_EVENT_UNSET = 0,
    /* The upstream response's id and served model are known. */
    HELIX_EVENT_START = 1,
    /* Assistant text for choice `choice`. */
    HELIX_EVENT_TEXT_DELTA = 2,
    /* Part of a tool call. The first delta of a call carries id and name;
       later ones carry only argument text. tool_index counts calls within
       the choice from 0, in the order the model started them. */
    HELIX_EVENT_TOOL_CALL_DELTA = 3,
    /* Choice `choice` is complete; finish_reason says why. */
    HELIX_EVENT_FINISH = 4,
    /* Token counts; may arrive more than once, the last values win. */
    HELIX_EVENT_USAGE = 5,
    /* A provider-specific JSON member to keep on the OpenAI object, e.g.
       Azure's content_filter_results: name = member, json = its value. */
    HELIX_EVENT_EXTRA = 6,
    /* Reasoning of choice `choice`: text, signature and redacted_data deltas
       of block reasoning_index (signature and redacted_data are opaque bytes
       the client must send back unchanged). */
    HELIX_EVENT_REASONING_DELTA = 7,
    /* One embedding vector: embedding_index is the input's index. */
    HELIX_EVENT_EMBEDDING = 8,
    /* HELIX_OP_MESSAGES only: one Anthropic Messages object as the
       upstream sent it, for the host to hand on to the client. name is the
       SSE event type of a stream (message_start, content_block_start,
       content_block_delta, content_block_stop, message_delta, message_stop,
       ping, error, or any type a newer API adds) and json its data, in the
       order received; or name "message" and json the whole non-streamed
       reply; or name "count_tokens" and json {"input_tokens": N}. The host
       maps the model name back; everything else reaches the client as is. */
    HELIX_EVENT_MESSAGES = 9
} helix_event_type;

/* Values of helix_event.finish_reason (uint32_t). */
typedef enum helix_finish_reason {
    HELIX_FINISH_NONE = 0,
    HELIX_FINISH_STOP = 1,
    HELIX_FINISH_LENGTH = 2,
    HELIX_FINISH_TOOL_CALLS = 3,
    HELIX_FINISH_CONTENT_FILTER = 4
} helix_finish_reason;

typedef struct helix_event {
    uint32_t struct_size;
    uint32_t type; /* HELIX_EVENT_* */
    uint32_t choice;
    /* START */
    helix_str response_id;
    helix_str model;
    /* TEXT_DELTA, REASONING_DELTA */
    helix_str text;
    /* TOOL_CALL_DELTA */
    uint32_t tool_index;
    helix_str tool_call_id;
    helix_str tool_name;
    helix_str tool_arguments;
    /* FINISH */
    uint32_t finish_reason; /* HELIX_FINISH_* */
    /* USAGE. cached_tokens counts prompt tokens read from the prompt cache. */
    int64_t prompt_tokens;
    int64_t completion_tokens;
    int64_t cached_tokens;
    /* EXTRA */
    helix_str name;
    helix_str json;
    /* USAGE: prompt tokens written to the prompt cache, and completion tokens
       spent on reasoning (part of completion_tokens). */
    int64_t cache_write_tokens;
    int64_t reasoning_tokens;
    /* REASONING_DELTA */
    uint32_t reasoning_index;
    helix_str reasoning_signature;
    helix_str reasoning_redacted_data;
    /* EMBEDDING */
    uint32_t embedding_index;
    const float *embedding;
    size_t embedding_len;
    /* Reasoning round trip (appended). TOOL_CALL_DELTA: an opaque signature
       of the call (tool_signature, sent back as helix_tool_call.signature).
       REASONING_DELTA and TOOL_CALL_DELTA with a signature: the plugin's
       reasoning dialect (reasoning_format, sent back as
       helix_reasoning_block.format). */
    helix_str tool_signature;
    helix_str reasoning_format;
} helix_event;

/* Receives events during decode() and finish(). The event and everything it
   points to are valid only during the call. Returns 0 to go on, non-zero to
   ask the plugin to stop decoding (the client went away, or the event was
   refused). Called on the thread that called decode() or finish(). */
typedef struct helix_event_sink {
    uint32_t struct_size;
    void *ctx;
    int (*emit)(void *ctx, const helix_event *event);
} helix_event_sink;

/* ------------------------------------------------------------------------ */
/* Settings a plugin publishes                                              */

/* Values of helix_setting.type (uint32_t). */
typedef enum helix_setting_type {
    HELIX_SETTING_UNSET = 0,
    HELIX_SETTING_STRING = 1,
    HELIX_SETTING_INTEGER = 2,
    HELIX_SETTING_NUMBER = 3,
    HELIX_SETTING_BOOLEAN = 4,
    HELIX_SETTING_DURATION = 5, /* "60s", "1m30s" */
    HELIX_SETTING_LIST = 6,     /* a YAML list */
    HELIX_SETTING_MAP = 7       /* a YAML map */
} helix_setting_type;

/* Bits of helix_setting.flags. */
#define HELIX_SETTING_SECRET (1u << 0) /* never logged, shown or echoed in an error */
/* Not a key of `settings:` but the provider's host option of that name
   (today: "timeout"), which the listed environment variables also fill. */
#define HELIX_SETTING_HOST_OPTION (1u << 1)
/* The provider cannot run without this key (after the environment variables
   applied): the host reports it missing before creating the instance. A host
   ignores flag bits it does not know, so a bit only ever adds a check that the
   plugin's own validate_config / create make as well. */
#define HELIX_SETTING_REQUIRED (1u << 2)

/* One key of the plugin's `settings:` map. */
typedef struct helix_setting {
    uint32_t struct_size;
    uint32_t type;  /* HELIX_SETTING_* */
    uint32_t flags; /* HELIX_SETTING_* bits */
    const char *name;          /* NUL-terminated key, e.g. "api_key" */
    const char *default_value; /* NUL-terminated, as written in YAML; NULL = none */
    const char *description;   /* NUL-terminated, one sentence */
    /* Environment variables that set this key, over the file's value: a
       NULL-terminated list of NUL-terminated names (the first one set and
       non-empty wins), or NULL. They apply to the provider instance whose
       name equals env_provider (NULL: to none), as a string. */
    const char *const *env;
    const char *env_provider;
} helix_setting;

/* ------------------------------------------------------------------------ */
/* Services the host offers to a plugin                                     */

/* The response to a side request; valid during the callback only. */
typedef void (*helix_fetch_callback)(void *user, const helix_http_response *response);

/* A credential program to run (helix_host.run_process). */
typedef struct helix_process_request {
    uint32_t struct_size;
    helix_str command;      /* the command line, as configured */
    const helix_header *env; /* extra environment variables (name, value) */
    size_t env_count;
} helix_process_request;

/* What the program did; valid during the callback only. */
typedef struct helix_process_result {
    uint32_t struct_size;
    int32_t exit_code; /* its exit status; 128 + n when signal n ended it */
    helix_str out;     /* stdout */
    helix_str err;     /* stderr (may hold secrets: never logged as is) */
} helix_process_result;

typedef void (*helix_process_callback)(void *user, const helix_process_result *result);

typedef struct helix_host {
    uint32_t struct_size;
    uint32_t abi_major; /* the version negotiated */
    uint32_t abi_minor;
    void *ctx; /* passed back as the first argument of every function here */

    /* Required. Logs msg (need not be NUL-terminated; never pass secrets) at
       level, a HELIX_LOG_* value. Returns nothing.
       Threads: may be called from any thread at any time. */
    void (*log)(void *ctx, uint32_t level, helix_str msg);

    /* Required. Performs one side request (token exchange, credentials
       endpoint) with the host's TLS, proxy and pool settings, and calls
       on_response once with the whole response before returning.
       timeout_ms == 0 means the host default.
       Returns HELIX_OK after on_response ran (whatever the HTTP status);
       HELIX_ERR_RETRY on a connection failure or timeout;
       HELIX_ERR_NOT_SUPPORTED when the host offers no side requests;
       HELIX_ERR_INTERNAL for a NULL request or callback;
       HELIX_ERR_WOULD_BLOCK at once, before the arguments are looked at,
       when the calling thread must not block (the host runs prepare() first
       on its event loop). A NULL request thus asks whether this thread may
       block: HELIX_ERR_WOULD_BLOCK means no, HELIX_ERR_INTERNAL yes. err is
       filled whenever the result is not HELIX_OK.
       Threads: may be called from any thread; blocks the caller. */
    helix_status (*http_fetch)(void *ctx, const helix_http_request *request, uint32_t timeout_ms,
                               helix_fetch_callback on_response, void *user, helix_error *err);

    /* Required. Wall-clock time (for signatures and expiry), milliseconds
       since the Unix epoch; the host may fake it in tests. Cannot fail.
       Threads: may be called from any thread. */
    int64_t (*now_unix_ms)(void *ctx);

    /* Required. The plugin's own configuration section as a JSON object
       (YAML converted, environment references expanded, the table's
       environment variables applied). Valid until destroy. Cannot fail.
       Threads: may be called from any thread. */
    helix_str (*config_json)(void *ctx);

    /* ---- appended: local credential programs (credential_process) ---- */

    /* Optional: read only when struct_size covers it, and may be NULL.
       Runs one credential program the provider's configuration names (an AWS
       profile's credential_process, a Google executable-sourced external
       account) and calls on_result once with what it wrote before returning,
       because a plugin never starts a process itself. The host splits
       request->command into words (POSIX shell quoting: '...', "...", \; no
       shell, no expansion), finds the program on PATH, runs it with the
       daemon's environment plus request->env, stdin from /dev/null and no
       other open descriptor, and kills its process group after timeout_ms
       (0: the host default, 30 s). It keeps the first 4 KiB of stderr; a
       program that writes more than 1 MiB to stdout is killed (HELIX_ERR_CONFIG).
       Returns HELIX_OK after on_result ran (whatever the exit code);
       HELIX_ERR_RETRY when it timed out or was killed;
       HELIX_ERR_CONFIG when the command is empty, badly quoted or cannot be
       started (err names which); HELIX_ERR_NOT_SUPPORTED when the host runs
       no programs; HELIX_ERR_INTERNAL for NULL arguments;
       HELIX_ERR_WOULD_BLOCK at once on a thread that must not block (as
       http_fetch). err is filled whenever the result is not HELIX_OK, never
       with the program's output.
       Threads: may be called from any thread; blocks the caller. */
    helix_status (*run_process)(void *ctx, const helix_process_request *request, uint32_t timeout_ms,
                                helix_process_callback on_result, void *user, helix_error *err);
} helix_host;

/* ------------------------------------------------------------------------ */
/* What a plugin offers                                                     */

typedef struct helix_plugin helix_plugin; /* one configured provider instance */
typedef struct helix_call helix_call;     /* one upstream call */

/* Values of helix_plugin_descriptor.thread_safety (uint32_t). */
typedef enum helix_thread_safety {
    HELIX_THREADS_UNSET = 0,
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
#define HELIX_MODEL_EMBEDDINGS (1u << 4)       /* serves HELIX_OP_EMBEDDINGS */
#define HELIX_MODEL_REASONING  (1u << 5)       /* accepts reasoning effort / budget */
#define HELIX_MODEL_DOCUMENTS  (1u << 6)       /* accepts HELIX_PART_DOCUMENT */
/* Serves HELIX_OP_MESSAGES: Anthropic's Messages API natively. A
   model without it is served POST /v1/messages by the host's translation
   onto HELIX_OP_CHAT. */
#define HELIX_MODEL_MESSAGES   (1u << 7)
/* Serves HELIX_MESSAGES_COUNT_TOKENS as well (the upstream counts tokens);
   without it the host answers count_tokens with its own estimate. */
#define HELIX_MODEL_COUNT_TOKENS (1u << 8)
/* POST /v1/completions served natively (appended): a model marked
   HELIX_MODEL_COMPLETIONS speaks OpenAI's legacy completions itself
   (gpt-3.5-turbo-instruct, davinci-002, babbage-002) and no chat. The host
   refuses it on the chat endpoints and sends its /v1/completions requests
   as helix_request.operation HELIX_OP_COMPLETIONS: `chat` is the request as
   translated for any provider (the prompt as one user message, max_tokens,
   stream, ...) and chat->original_body the client's /v1/completions body,
   which the plugin passes on (several prompts, token prompts, n, best_of,
   echo, logprobs, suffix: what only such a model gives). It answers with
   the chat events: each choice's TEXT_DELTA (choice = the reply's index),
   FINISH, USAGE, and before a text the EXTRA "logprobs" with that text's
   logprobs object when the upstream gave one. */
#define HELIX_MODEL_COMPLETIONS (1u << 9)
#define HELIX_OP_COMPLETIONS 4u
/* ---- appended: media by URL ----
   Takes images and documents inline only (bytes, not URLs): before
   prepare() the host fetches each http(s) URL of the request's image_url
   parts and HELIX_SOURCE_URL parts itself (never the plugin), within its
   own limits and address rules, and hands them over inline: an image_url
   as a base64 data: URI, a source as HELIX_SOURCE_BYTES with the fetched
   media type. A URL the host may not or cannot fetch is refused before
   prepare(). HELIX_SOURCE_FILE_URI parts (gs://, s3://, provider files,
   YouTube) are never fetched. */
#define HELIX_MODEL_INLINE_MEDIA (1u << 10)

typedef struct helix_model_info {
    uint32_t struct_size;
    helix_str id;          /* the name clients use after "provider/" */
    helix_str upstream_id; /* the id sent upstream; may equal id */
    uint32_t capabilities; /* HELIX_MODEL_* bits */
    int64_t context_window;
    /* HELIX_MODEL_EMBEDDINGS: the most inputs one upstream request may carry
       (Titan 1, Cohere on Bedrock 96). The host splits a larger request into
       consecutive parts of at most this many inputs, one prepare() and one
       upstream request each, and reassembles the vectors in input order:
       prepare() never sees more. 0 = no limit of the model's own. */
    uint32_t max_embedding_inputs;
} helix_model_info;

/* Values health() returns (uint32_t); 0 is unset. */
typedef enum helix_health {
    HELIX_HEALTH_UNSET = 0,
    HELIX_HEALTH_OK = 1,
    HELIX_HEALTH_DEGRADED = 2, /* works, e.g. credentials expire soon */
    HELIX_HEALTH_FAILING = 3   /* cannot serve, e.g. no credentials */
} helix_health;

typedef struct helix_plugin_descriptor {
    uint32_t struct_size;
    /* The version this descriptor follows: the one negotiated. These three
       fields stay first in every version (see HELIX_PLUGIN_ENTRY_SYMBOL). */
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *name;    /* NUL-terminated, e.g. "aws_bedrock" */
    const char *version; /* NUL-terminated, e.g. "1.2.0" */
    uint32_t thread_safety; /* HELIX_THREADS_* */

    /* Required. Creates an instance configured from host->config_json; host
       stays valid until destroy.
       Returns the instance, or NULL with err filled: HELIX_ERR_CONFIG for bad
       settings, HELIX_ERR_INTERNAL otherwise (status is not returned).
       Threads: may be called from any thread, concurrently with other
       instances' functions. */
    helix_plugin *(*create)(const helix_host *host, helix_error *err);

    /* Required. Frees the instance; every call of it has been freed before.
       Cannot fail. Threads: any thread, never concurrently with a function
       on the same instance. */
    void (*destroy)(helix_plugin *plugin);

    /* Required. The models this instance serves, as an array of *count
       pointers; array and models stay valid until destroy.
       Returns HELIX_OK, or HELIX_ERR_CONFIG / HELIX_ERR_INTERNAL with err filled.
       Threads: any thread, as thread_safety says. */
    helix_status (*list_models)(helix_plugin *plugin, const helix_model_info *const **models,
                                size_t *count, helix_error *err);

    /* Required. Starts one upstream call: translates request into *out (whose
       memory stays valid until call_free) and returns the call in *call. May
       block on host->http_fetch to obtain credentials. The host calls it first
       on a thread that must not block: there http_fetch refuses with
       HELIX_ERR_WOULD_BLOCK, and a prepare() that needs a side request, or
       would wait for another thread's refresh, returns HELIX_ERR_WOULD_BLOCK
       without changing any state; the host then calls it again (same
       request) on a worker thread, where it may block.
       Returns HELIX_OK with *call set; HELIX_ERR_INVALID_REQUEST or
       HELIX_ERR_NOT_SUPPORTED (the request or operation cannot be served, err
       names the param); HELIX_ERR_AUTH / HELIX_ERR_RETRY when credentials
       could not be obtained; HELIX_ERR_WOULD_BLOCK (above); HELIX_ERR_CONFIG;
       HELIX_ERR_INTERNAL. On error *call is NULL.
       Threads: concurrently from many threads unless thread_safety is
       HELIX_THREADS_SERIALIZED. */
    helix_status (*prepare)(helix_plugin *plugin, const helix_request *request,
                            helix_call **call, helix_http_request *out, helix_error *err);

    /* Required. Feeds the next piece of the upstream response; may emit any
       number of events. A non-OK status is sticky: the call is over.
       Returns HELIX_OK; HELIX_ERR_RETRY (429, 5xx), HELIX_ERR_AUTH (credentials
       refused), HELIX_ERR_UPSTREAM (permanent upstream error),
       HELIX_ERR_PROTOCOL (bytes break the protocol), HELIX_ERR_INTERNAL.
       Threads: one thread at a time per call; different calls concurrently. */
    helix_status (*decode)(helix_call *call, const helix_http_response *response,
                           const helix_event_sink *sink, helix_error *err);

    /* Required. The upstream response ended. Emits what is still pending and
       reports a truncated or otherwise incomplete response as an error.
       Returns what decode() does (HELIX_ERR_PROTOCOL for a truncated body).
       Threads: as decode(). */
    helix_status (*finish)(helix_call *call, const helix_event_sink *sink, helix_error *err);

    /* Required. Frees a call, whether it finished, failed or was abandoned.
       Cannot fail. Threads: as decode(). */
    void (*call_free)(helix_call *call);

    /* Optional. Cheap, no I/O: can this instance serve now (credentials
       present and unexpired)? detail, if given, receives a short reason.
       Returns a HELIX_HEALTH_* value, never 0.
       Threads: any thread, concurrently with prepare() and decode(). */
    uint32_t (*health)(helix_plugin *plugin, helix_error *detail);

    /* Optional. Checks a configuration section (JSON) without creating an
       instance, so that `helixagentd --check-config` reports plugin errors.
       Returns HELIX_OK or HELIX_ERR_CONFIG with err filled (never a secret).
       Threads: any thread, concurrently with anything. */
    helix_status (*validate_config)(helix_str config_json, helix_error *err);

    /* The plugin's settings table: setting_count pointers, static storage.
       NULL / 0 when the plugin publishes none. */
    const helix_setting *const *settings;
    size_t setting_count;
} helix_plugin_descriptor;

/* ------------------------------------------------------------------------ */
/* Negotiation                                                              */

/* What the host offers: the versions it can speak, lowest to highest. */
typedef struct helix_negotiate_info {
    uint32_t struct_size;
    uint32_t min_version; /* HELIX_MAKE_VERSION(major, minor) */
    uint32_t max_version;
} helix_negotiate_info;

/* What the plugin answers; the host zeroes it and sets struct_size. */
typedef struct helix_negotiate_result {
    uint32_t struct_size;
    uint32_t version; /* the chosen version, within [min_version, max_version] */
    /* The function table for that version (static storage, valid while the
       library is loaded); its abi_major / abi_minor equal version. */
    const helix_plugin_descriptor *descriptor;
} helix_negotiate_result;

/* The exported negotiate function (HELIX_PLUGIN_NEGOTIATE_SYMBOL): the host's
   range in, the chosen version and the function table out.
   Returns HELIX_OK with *result filled; HELIX_ERR_VERSION when no version of
   the host's range is one the plugin speaks, with err->message saying which
   side wanted what ("plugin speaks ABI 2.3; host offers 2.0-2.1");
   HELIX_ERR_INTERNAL when info or result is NULL or too small.
   Threads: called once per load, on any thread; does nothing else. */
typedef helix_status (*helix_plugin_negotiate_fn)(const helix_negotiate_info *info,
                                                  helix_negotiate_result *result, helix_error *err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HELIXAGENT_PLUGIN_ABI_H */
