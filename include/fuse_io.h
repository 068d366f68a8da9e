/*
 * fuse_io: the daemon's reads and writes of /dev/fuse, through libfuse's
 * fuse_session_custom_io(), so that directory listings can stay in the
 * kernel's cache.
 *
 * The kernel keeps a directory's listing in its page cache, across opens,
 * when the reply to OPENDIR carries FOPEN_CACHE_DIR and FOPEN_KEEP_CACHE:
 * a second `ls` or walk of it then sends no READDIR(PLUS). sfs_opendir
 * asks for both (fi->cache_readdir, fi->keep_cache), but libfuse's
 * high-level API before 3.16 replies to OPENDIR with the kernel's own
 * request flags and drops the filesystem's (lib/fuse.c, fuse_lib_opendir;
 * libfuse issue 821, fixed by pull request 822 in 3.16). With an older
 * libfuse, this layer notes the unique id of each OPENDIR request it reads
 * and sets those flags in the successful reply to it as it is written:
 * FOPEN_CACHE_DIR always, FOPEN_KEEP_CACHE as the opendir operation said
 * (fuse_io_keep_listing; fsops_dir.c keeps a listing while the names it brought
 * are still in the kernel's cache).
 *
 * The cached listing is dropped with the directory's page cache: by the
 * refresher's invalidation of every directory whose listing changed
 * (tree_inherit), by the kernel itself after a create, unlink, rename or
 * mkdir in it, and when its mtime changes (which it does with its
 * listing only).
 */
#ifndef SCHEMAFS_FUSE_IO_H
#define SCHEMAFS_FUSE_IO_H

#include <stdbool.h>

struct fuse_session;

/* Whether this libfuse passes opendir's cache flags on by itself. */
bool fuse_io_native(void);

/* Whether the reply to the OPENDIR this thread is answering keeps the
 * listing across opens (FOPEN_KEEP_CACHE; FOPEN_CACHE_DIR is always
 * set): called by the opendir operation, which libfuse answers on the
 * same thread right after it returns. */
void fuse_io_keep_listing(bool keep);

/* Installs the layer on SE, once mounted (its /dev/fuse descriptor is
 * known): 0, or -errno (then SE is unchanged and listings are not kept).
 * Not needed, and not installed, when fuse_io_native(); -ENOSYS with a
 * libfuse older than 3.13 (no fuse_session_custom_io()). */
int fuse_io_install(struct fuse_session *se);

#endif
