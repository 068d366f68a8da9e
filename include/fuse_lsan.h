/*
 * fuse_lsan: keeps LeakSanitizer quiet about libfuse's own directory
 * handles, and only about them, in ASan builds. Elsewhere a no-op.
 *
 * libfuse's high-level API allocates a struct fuse_dh in its opendir
 * handler and frees it in its releasedir handler (lib/fuse.c of 3.14.0:
 * fuse_lib_opendir, lines 3328-3378; fuse_lib_releasedir, 3722-3744);
 * the only pointer to it is the handle it gives the kernel. The kernel
 * sends RELEASEDIR asynchronously after the last close(), and at unmount
 * it aborts the connection with whatever is still queued: those handles
 * are never freed, and LeakSanitizer reports them when the daemon exits
 * (find's climb back up through "..", an opendir with no readdir, leaves
 * one almost every time it runs right before an unmount).
 */
#ifndef SCHEMAFS_FUSE_LSAN_H
#define SCHEMAFS_FUSE_LSAN_H

struct fuse;

/* Called from the opendir operation, on the thread libfuse runs it on:
 * marks the handle libfuse has just allocated for FUSE as not leaked. */
void fuse_lsan_opendir(const struct fuse *fuse);

#endif
