/* memlog.c: malloc settings and memory checkpoints; see include/memlog.h. */
#include "memlog.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static bool on;

void memlog_init(void)
{
	const char *v = getenv("SCHEMAFS_MEMLOG");
	on = v && *v && strcmp(v, "0");
	/* malloc settings given to glibc itself (GLIBC_TUNABLES) win: that
	 * is how the figures in the README were compared. */
	const char *tun = getenv("GLIBC_TUNABLES");
	if (tun && strstr(tun, "glibc.malloc."))
		return;
	/* libfuse serves requests from a pool of worker threads; glibc would
	 * give each its own malloc arena. The trees live in the refresher's
	 * arenas anyway, so two are plenty and keep the resident size down. */
	mallopt(M_ARENA_MAX, 2);
	/* Catalog and tree arenas take 256 KiB chunks (arena.c). glibc maps
	 * such a block apart, but after the first is freed it raises its
	 * threshold (up to 32 MiB) and carves later ones out of its heaps:
	 * there a freed snapshot leaves holes the next one does not fit,
	 * and every refresh grew the resident size. A fixed threshold keeps
	 * them mapped apart, given back to the system as they are freed. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

bool memlog_on(void)
{
	return on;
}

/* VmRSS and VmHWM in KiB, 0 when /proc cannot say. */
static void proc_rss(long *rss, long *hwm)
{
	*rss = *hwm = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "VmRSS:", 6))
			*rss = atol(line + 6);
		else if (!strncmp(line, "VmHWM:", 6))
			*hwm = atol(line + 6);
	}
	fclose(f);
}

void memlog(const char *who, const char *what, const char *extra)
{
	if (!on)
		return;
	struct mallinfo2 mi = mallinfo2();
	long rss, hwm;
	proc_rss(&rss, &hwm);
	const double mb = 1024.0 * 1024.0;
	log_info("%s: memory at %s: malloc in use %.1f MB (%.1f MB of it mapped apart), "
		 "free in heaps %.1f MB; RSS %.1f MB, peak %.1f MB%s%s",
		 who, what, (double)(mi.uordblks + mi.hblkhd) / mb, (double)mi.hblkhd / mb,
		 (double)mi.fordblks / mb, rss / 1024.0, hwm / 1024.0, extra ? "; " : "", extra ? extra : "");
}

void memlog_tidy(void)
{
	malloc_trim(0);
}

size_t memlog_resident(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, resident = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}
