/* log.c: diagnostics to stderr, a file or syslog; see include/log.h. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;		/* NULL: stderr, unless log_syslog */
static int log_syslog;
static int log_debug_on;

int log_open(const char *file, int use_syslog, int debug)
{
	log_debug_on = debug;
	if (file) {
		/* Refusals name users and changes: the log is the owner's
		 * alone, also when it was created before. */
		int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
			fchmod(fd, 0600);
		FILE *f = fdopen(fd, "a");
		if (!f) {
			int e = errno;
			close(fd);
			return -e;
		}
		setvbuf(f, NULL, _IOLBF, 0);
		log_file = f;
	} else if (use_syslog) {
		openlog("schemafs", LOG_PID, LOG_DAEMON);
		log_syslog = 1;
	} else {
		/* A descriptor of our own onto stderr: libpg_query points fd 2
		 * at a pipe while it parses (sqltx.c), and a line logged by
		 * another thread meanwhile must not go there. */
		int fd = dup(2);
		FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (f) {
			setvbuf(f, NULL, _IOLBF, 0);
			log_file = f;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	return 0;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	if (lvl == LOG_LVL_DEBUG && !log_debug_on)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(prio[lvl], "%s", msg);
		return;
	}
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
	FILE *f = log_file ? log_file : stderr;
	fprintf(f, "%sZ schemafs[%d] %s: %s\n", stamp, (int)getpid(), names[lvl], msg);
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	if (log_syslog)
		closelog();
	log_syslog = 0;
}
