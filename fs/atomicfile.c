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

int atomic_write(const char *file, const char *data, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	int ret = 0, fd = -1;
	sb_addf(&tmp, "%s.tmp.%d", file, (int)getpid());
	fd = open(sb_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		ret = -errno;
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(sb_str(&tmp), file) != 0)
		ret = -errno;
	else
		sync_dir_of(file);
out:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(sb_str(&tmp));
	strbuf_free(&tmp);
	return ret;
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
