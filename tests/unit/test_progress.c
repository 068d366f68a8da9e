/* Unit tests: a running migration's lines in status (progress.c), from
 * facts given by hand, and the recording side's effect on them. No server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "strbuf.h"
#include "tap.h"

static const char *render(const struct progress_facts *f)
{
	static struct strbuf sb = STRBUF_INIT;
	sb_reset(&sb);
	progress_render(&sb, f);
	return sb_str(&sb);
}

static const char *first(const char *text, size_t max)
{
	static char out[256];
	progress_first_line(out, sizeof out, text, strlen(text), max);
	return out;
}

static void first_lines(void)
{
	is_str(first("ALTER TABLE booking ADD COLUMN x int;", 100), "ALTER TABLE booking ADD COLUMN x int;",
	       "first line: a one-line statement whole");
	is_str(first("\n  UPDATE t\n  SET a = 1;", 100), "UPDATE t", "first line: past leading white space, up to the newline");
	is_str(first("SELECT 1   \r\nFROM t", 100), "SELECT 1", "first line: trailing blanks and CR dropped");
	is_str(first("abcdefghij", 4), "abcd...", "first line: cut at MAX bytes, marked");
	/* "é" is two bytes: a cut inside it backs off to its start. */
	is_str(first("abcé", 4), "abc...", "first line: never cut inside a UTF-8 character");
	is_str(first("a\tb", 10), "a b", "first line: a tab inside becomes a space");
	is_str(first("", 10), "", "first line: empty text");
}

static void lines(void)
{
	struct progress_facts f;
	memset(&f, 0, sizeof f);
	snprintf(f.file, sizeof f.file, "0002_x.sql");
	f.backend_pid = 4242;
	f.seconds = 12.4;
	f.stmt_seconds = 3.6;
	f.stmt = 2;
	f.nstmts = 3;
	snprintf(f.text, sizeof f.text, "ALTER TABLE booking ADD COLUMN x int;");
	is_str(render(&f),
	       "migration running: 0002_x.sql (backend pid 4242), for 12 s\n"
	       "  statement 2 of 3, for 4 s: ALTER TABLE booking ADD COLUMN x int;\n",
	       "a statement, nothing known of its waits yet");

	f.waits_known = true;
	f.nblockers = f.nblockers_all = 2;
	f.blockers[0] = (struct progress_blocker){ 101, "psql", "idle in transaction", "LOCK TABLE booking;" };
	f.blockers[1] = (struct progress_blocker){ 202, "app", "active", "SELECT count(*) FROM booking" };
	is_str(render(&f),
	       "migration running: 0002_x.sql (backend pid 4242), for 12 s\n"
	       "  statement 2 of 3, for 4 s: ALTER TABLE booking ADD COLUMN x int;\n"
	       "  waiting for: pid 101 (psql, idle in transaction): LOCK TABLE booking;\n"
	       "  waiting for: pid 202 (app, active): SELECT count(*) FROM booking\n",
	       "one line per blocking backend, with application, state and query");
	f.nblockers_all = 12;
	ok(strstr(render(&f), "  waiting for: 10 more backends\n") != NULL, "blockers beyond those shown are counted");
}

/* Index builds: the percentage of whichever count is non-zero. */
static void index_phases(void)
{
	struct progress_facts f;
	memset(&f, 0, sizeof f);
	snprintf(f.file, sizeof f.file, "0003_idx.sql");
	f.backend_pid = 7;
	f.stmt = f.nstmts = 1;
	snprintf(f.text, sizeof f.text, "CREATE INDEX CONCURRENTLY booking_x ON booking (x);");
	f.waits_known = f.index = true;
	snprintf(f.phase, sizeof f.phase, "building index: scanning table");
	f.blocks_done = 450;
	f.blocks_total = 1000;
	f.tuples_total = 5;	/* ignored: blocks come first */
	is_str(strstr(render(&f), "  phase:"), "  phase: building index: scanning table, 45% (blocks 450 of 1000)\n",
	       "scanning: blocks done of blocks total");
	f.blocks_done = f.blocks_total = 0;
	snprintf(f.phase, sizeof f.phase, "building index: loading tuples in tree");
	f.tuples_done = 1;
	f.tuples_total = 3;
	is_str(strstr(render(&f), "  phase:"), "  phase: building index: loading tuples in tree, 33% (tuples 1 of 3)\n",
	       "loading: tuples done of tuples total");
	f.tuples_done = f.tuples_total = 0;
	snprintf(f.phase, sizeof f.phase, "waiting for old snapshots");
	is_str(strstr(render(&f), "  phase:"), "  phase: waiting for old snapshots\n", "a phase without counts: no percentage");
}

/* A step of schemafs's own, and the recording side's bookkeeping. */
static void recording(void)
{
	struct progress p;
	progress_init(&p, NULL, NULL);
	struct progress_facts f;
	ok(!progress_snapshot(&p, &f), "nothing running: no facts");
	progress_begin(&p, "0004_y.sql", 99);
	ok(progress_snapshot(&p, &f), "running once begun");
	ok(strstr(render(&f), "\n  taking the migration lock, for 0 s\n") != NULL, "before the first statement: its step");
	int pid;
	unsigned long step;
	double ran = -1;
	ok(progress_watch(&p, &pid, &step, &ran) && pid == 99, "the monitor gets the backend's pid");
	ok(ran >= 0 && ran < 3600, "and how long the migration has run");
	const char *sql = "UPDATE t SET a = 1\nWHERE b;";
	progress_step(&p, 1, 2, sql, strlen(sql));
	struct progress_facts w;
	memset(&w, 0, sizeof w);
	w.nblockers = w.nblockers_all = 1;
	w.blockers[0] = (struct progress_blocker){ 5, "a", "active", "q" };
	progress_set_waits(&p, step, &w);
	progress_snapshot(&p, &f);
	ok(f.nblockers == 0 && !f.waits_known, "waits gathered for an earlier step are not shown under the next");
	ok(strstr(render(&f), "  statement 1 of 2, for 0 s: UPDATE t SET a = 1\n") != NULL, "the statement's first line");
	progress_watch(&p, &pid, &step, &ran);
	progress_set_waits(&p, step, &w);
	progress_snapshot(&p, &f);
	ok(f.nblockers == 1 && f.blockers[0].pid == 5, "waits gathered for the current step are shown");
	progress_end(&p);
	ok(!progress_snapshot(&p, &f) && !progress_watch(&p, &pid, &step, &ran), "ended: nothing to show or watch");
	progress_destroy(&p);
	/* NULL: nobody watches; the runner's calls do nothing. */
	progress_begin(NULL, "x", 1);
	progress_step(NULL, 1, 1, "x", 1);
	progress_end(NULL);
	ok(1, "a NULL progress is accepted by the runner's calls");
}

int main(void)
{
	first_lines();
	lines();
	index_phases();
	recording();
	return done_testing();
}
