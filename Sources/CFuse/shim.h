#ifndef BUCKETCHAT_CFUSE_SHIM_H
#define BUCKETCHAT_CFUSE_SHIM_H
// libfuse 3's high-level (path-based) API. FUSE_USE_VERSION must be set
// before the headers: it picks the versions of fuse_new and fuse_loop_mt.
#define FUSE_USE_VERSION 35
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

// fuse_new and fuse_loop_mt are macros that pick a versioned symbol, and
// fuse_file_info / fuse_config carry bit fields: Swift sees neither well, so
// these wrappers are the whole surface FUSEMount uses.

static inline struct fuse *cfuse_new(struct fuse_args *args, const struct fuse_operations *ops, void *user_data) {
    return fuse_new(args, ops, sizeof(*ops), user_data);
}

// The multi-threaded loop with the 3.12 configuration object. The versioned
// fuse_loop_mt of API 3.5 dereferences its (old-style) config unchecked, so
// this calls the 3.12 entry point, which exists in every libfuse >= 3.12.
int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config);

static inline int cfuse_loop_mt(struct fuse *f) {
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    if (!config) return -ENOMEM;
    fuse_loop_cfg_set_clone_fd(config, 0);
    fuse_loop_cfg_set_idle_threads(config, 10);
    int status = fuse_loop_mt_312(f, config);
    fuse_loop_cfg_destroy(config);
    return status;
}

static inline void *cfuse_private_data(void) {
    struct fuse_context *c = fuse_get_context();
    return c ? c->private_data : NULL;
}

static inline void cfuse_file_set(struct fuse_file_info *fi, uint64_t fh, int direct_io, int keep_cache, int nonseekable) {
    fi->fh = fh;
    fi->direct_io = direct_io ? 1 : 0;
    fi->keep_cache = keep_cache ? 1 : 0;
    fi->nonseekable = nonseekable ? 1 : 0;
}

static inline uint64_t cfuse_file_handle(const struct fuse_file_info *fi) {
    return fi ? fi->fh : 0;
}

static inline int cfuse_file_flags(const struct fuse_file_info *fi) {
    return fi ? fi->flags : 0;
}

static inline int cfuse_file_has_handle(const struct fuse_file_info *fi) {
    return fi != NULL;
}

// Kernel cache settings (see docs/fuse.md): attributes and entries are never
// cached, so stat sizes are exact and `tail -f` sees growth; interrupts are
// delivered so a blocked read of `follow` ends on Ctrl-C.
static inline void cfuse_configure(struct fuse_config *cfg) {
    cfg->attr_timeout = 0;
    cfg->entry_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->ac_attr_timeout_set = 1;
    cfg->ac_attr_timeout = 0;
    cfg->use_ino = 0;
    cfg->intr = 1;
    cfg->hard_remove = 1;
    cfg->nullpath_ok = 0;
    cfg->kernel_cache = 0;
    cfg->auto_cache = 0;
    cfg->direct_io = 0;
}

static inline int cfuse_poll_notify_destroy(struct fuse_pollhandle *ph) {
    int r = fuse_notify_poll(ph);
    fuse_pollhandle_destroy(ph);
    return r;
}

#endif
