/* atomicfile.c: crash-safe file replacement; see include/atomicfile.h. */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"

/* The rename is only durable once the directory itself is synced. */
static void sync_dir_of(const char *file)
{
	char *dir = strdup(file);
	if (!dir)
		return;
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		int fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	free(dir);
}

int atomic_begin(struct atomic_file *af, const char *file)
{
	struct strbuf tmp = STRBUF_INIT;
	sb_addf(&tmp, "%s.tmp.%d", file, (int)getpid());
	af->tmp = strbuf_detach(&tmp, NULL);
	af->file = file;
	af->err = 0;
	af->fd = af->tmp ? open(af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	if (af->fd < 0)
		af->err = af->tmp ? -errno : -ENOMEM;
	return af->err;
}

int atomic_add(struct atomic_file *af, const char *data, size_t len)
{
	for (size_t off = 0; !af->err && off < len;) {
		ssize_t w = write(af->fd, data + off, len - off);
		if (w < 0 && errno != EINTR)
			af->err = -errno;
		else if (w == 0)
			af->err = -EIO;	/* no progress: not worth a loop for ever */
		else if (w > 0)
			off += (size_t)w;
	}
	return af->err;
}

int atomic_commit(struct atomic_file *af)
{
	if (af->fd >= 0 && !af->err && fsync(af->fd) != 0)
		af->err = -errno;
	if (af->fd >= 0 && close(af->fd) != 0 && !af->err)
		af->err = -errno;
	af->fd = -1;
	if (!af->err && rename(af->tmp, af->file) != 0)
		af->err = -errno;
	if (!af->err)
		sync_dir_of(af->file);
	else if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	af->tmp = NULL;
	return af->err;
}

int atomic_write(const char *file, const char *data, size_t len)
{
	struct atomic_file af;
	atomic_begin(&af, file);
	atomic_add(&af, data, len);
	return atomic_commit(&af);
}

char *file_read_all(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&sb, buf, n);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		strbuf_free(&sb);
		errno = EIO;
		return NULL;
	}
	sb_add(&sb, "");
	return strbuf_detach(&sb, len);
}
