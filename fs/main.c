/*
 * main.c: command line, start-up checks and the FUSE loop.
 *
 * Everything that can refuse the mount (options, config, mountpoint, each
 * database's connection and first snapshot) is checked before the daemon
 * detaches, so the one-line reason reaches the terminal and the exit status
 * is non-zero.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "config.h"
#include "database.h"
#include "fsops.h"
#include "fuse_io.h"
#include "log.h"
#include "memlog.h"

/* fuse_opt_parse() strdup()s the string options; main() frees them. */
struct sfs_options {
	char *config;
	char *conninfo;
	char *ttl;
	char *max_memory;
	char *log;
	int live;
	int default_permissions;
	int show_help;
	int show_version;
};

#define SFS_OPT(t, p) { t, offsetof(struct sfs_options, p), 1 }
static const struct fuse_opt sfs_opt_spec[] = {
	{ "config=%s", offsetof(struct sfs_options, config), 0 },
	{ "conninfo=%s", offsetof(struct sfs_options, conninfo), 0 },
	{ "ttl=%s", offsetof(struct sfs_options, ttl), 0 },
	{ "max_memory=%s", offsetof(struct sfs_options, max_memory), 0 },
	{ "log=%s", offsetof(struct sfs_options, log), 0 },
	SFS_OPT("live", live),
	/* Taken here to know it (fsops.c's gone list), given back below. */
	SFS_OPT("default_permissions", default_permissions),
	SFS_OPT("-h", show_help),
	SFS_OPT("--help", show_help),
	SFS_OPT("-V", show_version),
	SFS_OPT("--version", show_version),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n\n"
	       "Mounts PostgreSQL databases as a tree of plain-text files.\n\n"
	       "schemafs options:\n"
	       "    -o config=FILE         JSON config naming the databases (see schemafs(1))\n"
	       "    -o conninfo=STRING     one database (libpq conninfo or URI); its directory\n"
	       "                           is named after the database\n"
	       "    -o ttl=SECONDS         how long a snapshot stays fresh (default 2)\n"
	       "    -o max_memory=SIZE     let go of rendered tables above this resident size (512M, 2G)\n"
	       "    -o log=FILE            log file (default: stderr with -f, else syslog)\n"
	       "    -o live                a read-only view of the live catalogs, without\n"
	       "                           staged changes (what scripts/snapshot copies)\n"
	       "    -h, --help             this help\n"
	       "    -V, --version          version\n\n"
	       "FUSE options:\n", prog);
	fuse_cmdline_help();
	fuse_lib_help(NULL);
}

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "schemafs: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int check_mountpoint(const char *mp)
{
	struct stat st;
	if (!mp)
		return fail("no mountpoint given (see schemafs -h)%s", "");
	if (stat(mp, &st) != 0) {
		fprintf(stderr, "schemafs: bad mountpoint %s: %s\n", mp, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return fail("bad mountpoint %s: not a directory", mp);
	if (access(mp, R_OK | X_OK) != 0) {
		fprintf(stderr, "schemafs: bad mountpoint %s: %s\n", mp, strerror(errno));
		return 1;
	}
	return 0;
}

static int cmp_db(const void *a, const void *b)
{
	return strcmp(((const struct database *)a)->cfg->name, ((const struct database *)b)->cfg->name);
}

/*
 * mount(8) and /etc/fstab run "schemafs SOURCE MOUNTPOINT -o opts". When
 * there are two non-option arguments, the first is that source: a JSON
 * file is taken as the config, anything else is ignored. Returns the
 * source (an element of ARGV) and removes it from ARGV.
 */
static const char *take_source(int *argc, char *argv[])
{
	int first = -1, count = 0;
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		if (first < 0)
			first = i;
		count++;
	}
	if (count != 2)
		return NULL;
	const char *src = argv[first];
	memmove(&argv[first], &argv[first + 1], (size_t)(*argc - first) * sizeof *argv);
	(*argc)--;
	return src;
}

/* The last non-option argument: libfuse's own check of it (realpath)
 * prints a message of its own format, so ours runs first. */
static const char *find_mountpoint(int argc, char *argv[])
{
	const char *mp = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o"))
			i++;
		else if (argv[i][0] != '-')
			mp = argv[i];
	}
	return mp;
}

int main(int argc, char *argv[])
{
	/* Before any thread: malloc's settings (memlog.h). */
	memlog_init();
	const char *source = take_source(&argc, argv);
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct sfs_options opts = { 0 };
	struct fuse_cmdline_opts cmd = { 0 };
	struct config cfg = { 0 };
	struct schemafs fs = { 0 };
	struct fuse *fuse = NULL;
	int ret = 1, mounted = 0;
	char err[2048];

	if (fuse_opt_parse(&args, &opts, sfs_opt_spec, NULL) == -1)
		goto out;
	if (opts.show_help) {
		usage(argv[0]);
		ret = 0;
		goto out;
	}
	if (opts.show_version) {
		printf("schemafs %s (libfuse %s, libpq %d)\n", SCHEMAFS_VERSION, fuse_pkgversion(),
		       PQlibVersion());
		ret = 0;
		goto out;
	}
	if (check_mountpoint(find_mountpoint(argc, argv)))
		goto out;
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		goto out;

	double ttl = -1;
	if (opts.ttl) {
		char *end;
		ttl = strtod(opts.ttl, &end);
		if (*end || end == opts.ttl || !isfinite(ttl) || ttl < 0 || ttl > 86400) {
			fail("bad ttl=%s: give a number of seconds from 0 to 86400", opts.ttl);
			goto out;
		}
	}
	if (source && !opts.config && !opts.conninfo) {
		size_t len = strlen(source);
		if (len > 5 && !strcmp(source + len - 5, ".json"))
			opts.config = strdup(source);
	}
	if (opts.config && opts.conninfo) {
		fail("give either -o config=FILE or -o conninfo=STRING, not both%s", "");
		goto out;
	}
	if (opts.config) {
		if (config_load_file(opts.config, &cfg, err, sizeof err)) {
			fprintf(stderr, "schemafs: config %s: %s\n", opts.config, err);
			goto out;
		}
	} else if (opts.conninfo) {
		config_from_conninfo(opts.conninfo, &cfg);
	} else {
		fail("no database: give -o config=FILE or -o conninfo=STRING%s", "");
		goto out;
	}
	if (opts.live)
		cfg.live = true;
	if (opts.max_memory && config_parse_size(opts.max_memory, &cfg.max_memory)) {
		fail("bad max_memory=%s: give a size such as 512M or 2G", opts.max_memory);
		goto out;
	}
	if (config_resolve_groups(&cfg, err, sizeof err)) {
		fprintf(stderr, "schemafs: config %s: %s\n", opts.config, err);
		goto out;
	}
	config_apply_defaults(&cfg, ttl);
	/* The daemon runs in "/": a relative state_dir means from here. */
	if (cfg.state_dir[0] != '/') {
		char cwd[4096], *abs = NULL;
		if (getcwd(cwd, sizeof cwd) && asprintf(&abs, "%s/%s", cwd, cfg.state_dir) > 0) {
			free(cfg.state_dir);
			cfg.state_dir = abs;
		}
	}

	if (log_open(opts.log, !cmd.foreground && !opts.log, cmd.debug) != 0 && opts.log) {
		fprintf(stderr, "schemafs: cannot open log %s: %s\n", opts.log, strerror(errno));
		goto out;
	}
	if (opts.conninfo && config_conninfo_has_password(opts.conninfo))
		log_warn("the password given in -o conninfo= can be read by every user of this machine "
			 "(ps, /proc/PID/cmdline): keep it in ~/.pgpass, in a file named by PGPASSFILE, "
			 "or in a service file (pg_service.conf, PGSERVICEFILE) instead");
	fs.ttl = cfg.ttl;
	fs.dbs = calloc(cfg.ndbs, sizeof *fs.dbs);
	for (size_t i = 0; i < cfg.ndbs; i++) {
		if (database_open(&fs.dbs[fs.ndbs], &cfg.dbs[i], cfg.state_dir, cmd.foreground, err, sizeof err)) {
			fprintf(stderr, "schemafs: %s\n", err);
			database_close(&fs.dbs[fs.ndbs]);
			goto out;
		}
		fs.ndbs++;
		if (cfg.dbs[i].ttl < fs.ttl)
			fs.ttl = cfg.dbs[i].ttl;
	}
	qsort(fs.dbs, fs.ndbs, sizeof *fs.dbs, cmp_db);
	/* The refresher threads hold pointers into fs.dbs: no moving after this. */

	fuse_opt_add_arg(&args, "-ofsname=schemafs");
	/* A live view is read-only for the kernel too: tools see EROFS and
	 * "ro" in /proc/mounts before asking the daemon anything. */
	if (cfg.live)
		fuse_opt_add_arg(&args, "-oro");
	if (opts.default_permissions) {
		fuse_opt_add_arg(&args, "-odefault_permissions");
		fs.kernel_checks = true;
	}
	fuse = fuse_new(&args, &schemafs_ops, sizeof schemafs_ops, &fs);
	if (!fuse)
		goto out;
	if (fuse_mount(fuse, cmd.mountpoint) != 0)
		goto out;
	mounted = 1;
	/* Directory listings kept in the kernel's cache (fuse_io.h). */
	if (!fuse_io_native()) {
		int io = fuse_io_install(fuse_get_session(fuse));
		if (io)
			log_warn("directory listings are not kept in the kernel's cache: %s", strerror(-io));
	}
	if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0)
		goto out;
	if (fuse_daemonize(cmd.foreground) != 0)
		goto out;
	/* After the fork: threads do not survive it. */
	fs.fuse = fuse;
	for (size_t i = 0; i < fs.ndbs; i++) {
		if (database_start(&fs.dbs[i], schemafs_invalidate, &fs)) {
			log_error("cannot start the refresher of %s", fs.dbs[i].cfg->name);
			goto out;
		}
	}
	log_info("mounted %zu database(s) on %s%s", fs.ndbs, cmd.mountpoint,
		 cfg.live ? " (live view, read-only)" : "");

	int rc;
	if (cmd.singlethread) {
		rc = fuse_loop(fuse);
	} else {
		struct fuse_loop_config *lc = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(lc, cmd.clone_fd);
		fuse_loop_cfg_set_max_threads(lc, cmd.max_threads);
		rc = fuse_loop_mt(fuse, lc);
		fuse_loop_cfg_destroy(lc);
	}
	/* An unmount aborts the connection. A worker whose read of /dev/fuse
	 * took a request just as fuse_abort_conn() ran gets ECONNABORTED
	 * (fs/fuse/dev.c, fuse_dev_do_read) instead of ENODEV, which libfuse
	 * alone takes as the end: the loop returns it. Either is a normal end. */
	ret = rc < 0 && rc != -EINTR && rc != -ECONNABORTED ? 1 : 0;
	schemafs_release_all();
	log_info("unmounting %s", cmd.mountpoint);
out:
	/* Stop the refreshers before the session goes: they notify the kernel. */
	for (size_t i = 0; i < fs.ndbs; i++)
		database_close(&fs.dbs[i]);
	if (fuse) {
		if (mounted) {
			fuse_remove_signal_handlers(fuse_get_session(fuse));
			fuse_unmount(fuse);
		}
		fuse_destroy(fuse);
	}
	free(fs.dbs);
	config_free(&cfg);
	free(cmd.mountpoint);
	fuse_opt_free_args(&args);
	free(opts.config);
	free(opts.conninfo);
	free(opts.ttl);
	free(opts.max_memory);
	free(opts.log);
	log_close();
	return ret;
}
