#ifndef BUCKETCHAT_CCURL_SHIM_H
#define BUCKETCHAT_CCURL_SHIM_H
// curl's option setters are C variadics, which Swift cannot call; these typed
// inline functions give each argument kind one Swift-callable entry point.
#include <curl/curl.h>

static inline CURLcode bc_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode bc_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode bc_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode bc_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode bc_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*bc_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode bc_easy_setopt_data_callback(CURL *h, CURLoption o, bc_data_callback f) { return curl_easy_setopt(h, o, f); }

typedef int (*bc_seek_callback)(void *userdata, curl_off_t offset, int origin);
static inline CURLcode bc_easy_setopt_seek_callback(CURL *h, CURLoption o, bc_seek_callback f) { return curl_easy_setopt(h, o, f); }
// Macros Swift does not import as constants of the right type.
static inline size_t bc_readfunc_abort(void) { return CURL_READFUNC_ABORT; }

static inline CURLcode bc_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode bc_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode bc_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

// CURLMsg carries its result in a union; read it here rather than rely on how
// Swift imports anonymous unions.
static inline CURLcode bc_msg_result(CURLMsg *m) { return m->data.result; }
#endif
