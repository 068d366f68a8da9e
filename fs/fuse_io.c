/*
 * fuse_io.c: see fuse_io.h. The request and reply layouts are the kernel's
 * (linux/fuse.h), which libfuse writes and reads as they are: a reply is
 * an iovec whose first element is the struct fuse_out_header and whose
 * second, for OPENDIR, the struct fuse_open_out (lib/fuse_lowlevel.c,
 * fuse_reply_open -> send_reply_ok). Anything else passes untouched.
 */
#include "fuse_io.h"

#include <errno.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

/* The OPENDIR requests read and not yet answered. As many as the loop has
 * threads at most (each answers one request at a time); a request that
 * finds no free slot is answered without the flags, as libfuse would. */
#define IO_SLOTS 256
static pthread_mutex_t io_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t io_opendirs[IO_SLOTS];	/* io_lock; 0: free */
static unsigned io_nopen;		/* io_lock: slots in use */

/* The opendir operation's word for the reply this thread writes next. */
static __thread bool io_keep;

void fuse_io_keep_listing(bool keep)
{
	io_keep = keep;
}

bool fuse_io_native(void)
{
	return fuse_version() >= 316;
}

static void note_opendir(uint64_t unique)
{
	pthread_mutex_lock(&io_lock);
	for (size_t i = 0; i < IO_SLOTS && unique; i++)
		if (!io_opendirs[i]) {
			io_opendirs[i] = unique;
			io_nopen++;
			break;
		}
	pthread_mutex_unlock(&io_lock);
}

/* Whether UNIQUE was an OPENDIR's; its slot is freed either way. */
static bool take_opendir(uint64_t unique)
{
	bool found = false;
	pthread_mutex_lock(&io_lock);
	for (size_t i = 0; io_nopen && i < IO_SLOTS; i++)
		if (io_opendirs[i] == unique) {
			io_opendirs[i] = 0;
			io_nopen--;
			found = true;
			break;
		}
	pthread_mutex_unlock(&io_lock);
	return found;
}

static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)userdata;
	ssize_t n = read(fd, buf, len);
	if (n >= (ssize_t)sizeof(struct fuse_in_header)) {
		const struct fuse_in_header *in = buf;
		if (in->opcode == FUSE_OPENDIR)
			note_opendir(in->unique);
	}
	return n;	/* errno is read()'s */
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	if (count >= 1 && iov[0].iov_len >= sizeof(struct fuse_out_header)) {
		const struct fuse_out_header *out = iov[0].iov_base;
		/* unique 0: a notification (an invalidation), never a reply. */
		if (out->unique && take_opendir(out->unique) && out->error == 0 && count >= 2 &&
		    iov[1].iov_len >= sizeof(struct fuse_open_out)) {
			struct fuse_open_out *open = iov[1].iov_base;
			open->open_flags |= FOPEN_CACHE_DIR | (io_keep ? FOPEN_KEEP_CACHE : 0);
			io_keep = false;
		}
	}
	return writev(fd, iov, count);
}

/* fuse_session_custom_io() came with libfuse 3.13. */
#if FUSE_MAJOR_VERSION > 3 || (FUSE_MAJOR_VERSION == 3 && FUSE_MINOR_VERSION >= 13)
int fuse_io_install(struct fuse_session *se)
{
	static const struct fuse_custom_io io = {
		.read = io_read,
		.writev = io_writev,
	};
	int fd = fuse_session_fd(se);
	if (fd < 0)
		return -EBADF;
	int rc = fuse_session_custom_io(se, &io, fd);
	return rc > 0 ? -rc : rc;
}
#else
int fuse_io_install(struct fuse_session *se)
{
	(void)se;
	(void)io_read;
	(void)io_writev;
	return -ENOSYS;
}
#endif
