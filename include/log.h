/*
 * log: one place for diagnostics. Before the mount is up, messages go to
 * stderr; afterwards to the log file given with -o log=FILE, or to syslog
 * when the daemon runs in the background, or stderr in the foreground.
 * Thread-safe (one write per message).
 */
#ifndef SCHEMAFS_LOG_H
#define SCHEMAFS_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* FILE may be NULL (stderr). Returns 0 or -errno. */
int log_open(const char *file, int use_syslog, int debug);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_close(void);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
