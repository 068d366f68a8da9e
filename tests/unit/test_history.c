/* Unit tests: sha256.c, and the history of a migrations_dir against the
 * tracking rows (history.c: check, unapplied entries, numbering), with
 * folders and rows built in memory and no server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "history.h"
#include "tap.h"

static void add_file(struct history *h, const char *name, const char *data)
{
	h->files = realloc(h->files, (h->nfiles + 1) * sizeof *h->files);
	struct history_file *f = &h->files[h->nfiles++];
	f->name = strdup(name);
	f->data = strdup(data);
	f->len = strlen(data);
	sha256_hex(data, f->len, f->hash);
}

static struct cat_migration row(long long id, const char *data, long long when)
{
	static char hashes[16][SHA256_HEX_LEN + 1];
	char *hash = hashes[id % 16];
	sha256_hex(data, strlen(data), hash);
	return (struct cat_migration){ .id = id, .hash = hash, .created_at = when };
}

/* A healthy folder: three entries, two applied (when 100, 200). */
static void healthy(struct history *h, struct cat_migration *rows)
{
	memset(h, 0, sizeof *h);
	h->dir = strdup("/m");
	journal_add(&h->j, "0000_a", 100);
	journal_add(&h->j, "0001_b", 200);
	journal_add(&h->j, "0002_c", 300);
	add_file(h, "0000_a.sql", "CREATE TABLE a ();\n");
	add_file(h, "0001_b.sql", "CREATE TABLE b ();\n");
	add_file(h, "0002_c.sql", "CREATE TABLE c ();\n");
	rows[0] = row(1, "CREATE TABLE a ();\n", 100);
	rows[1] = row(2, "CREATE TABLE b ();\n", 200);
}

static char *check(const struct history *h, const struct cat_migration *rows, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	history_check(&sb, h, rows, n);
	return strbuf_detach(&sb, NULL) ?: strdup("");
}

static void unapplied(void *ctx, const struct journal_entry *e)
{
	strcat(ctx, e->tag);
	strcat(ctx, " ");
}

int main(void)
{
	char hex[SHA256_HEX_LEN + 1];
	sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of nothing");
	sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
	static const struct { size_t n; const char *hex; } xs[] = {
		{ 55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072" },
		{ 56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e" },
		{ 63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2" },
		{ 64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c" },
		{ 119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c" },
		{ 120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98" },
	};
	char xbuf[128];
	memset(xbuf, 'x', sizeof xbuf);
	for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
		sha256_hex(xbuf, xs[i].n, hex);
		is_str(hex, xs[i].hex, "sha256 of %zu bytes (padding across blocks)", xs[i].n);
	}

	struct history h;
	struct cat_migration rows[4];
	char *out;

	healthy(&h, rows);
	out = check(&h, rows, 2);
	is_str(out, "", "a healthy folder: check is empty");
	free(out);
	char list[256] = "";
	history_each_unapplied(&h, rows, 2, unapplied, list);
	is_str(list, "0002_c ", "unapplied: the entry after the last created_at");
	ok(history_unapplied_named(&h, rows, 2, "0002_c.sql") && !history_unapplied_named(&h, rows, 2, "0001_b.sql") &&
	   !history_unapplied_named(&h, rows, 2, "0002_c"), "unapplied by file name");

	/* An applied file edited afterwards. */
	free(h.files[1].data);
	h.files[1].data = strdup("CREATE TABLE b (x int);\n");
	sha256_hex(h.files[1].data, strlen(h.files[1].data), h.files[1].hash);
	out = check(&h, rows, 2);
	ok(!strncmp(out, "0001_b: 0001_b.sql was edited after it was applied", 50) && !strchr(out, '\n')[1],
	   "an edited applied file: exactly its line (%s)", out);
	free(out);
	history_free(&h);

	/* A journal entry without its file (applied or not): one line each. */
	healthy(&h, rows);
	free(h.files[0].name);
	free(h.files[0].data);
	free(h.files[2].name);
	free(h.files[2].data);
	h.files[0] = h.files[1];
	h.nfiles = 1;
	out = check(&h, rows, 2);
	is_str(out, "0000_a: journal entry without its file 0000_a.sql\n0002_c: journal entry without its file 0002_c.sql\n",
	       "entries without files (the row of 0000_a is matched by its when)");
	free(out);
	history_free(&h);

	/* An orphan .sql file. */
	healthy(&h, rows);
	add_file(&h, "0003_orphan.sql", "SELECT 1;\n");
	out = check(&h, rows, 2);
	is_str(out, "0003_orphan.sql: a .sql file in the folder that is not in the journal\n", "an orphan file");
	free(out);
	history_free(&h);

	/* "when" not increasing: 0002_c moved before 0001_b; drizzle will
	 * never run it (at or before the last created_at, not applied). */
	healthy(&h, rows);
	h.j.v[2].when = 150;
	out = check(&h, rows, 2);
	is_str(out, "0002_c: its \"when\" 150 is not after the previous entry's (0001_b, 200): drizzle runs entries in "
	       "the order of \"when\"\n0002_c: drizzle's migrator will never run it: its \"when\" 150 is not after the "
	       "last applied migration's created_at 200, and it was not applied\n", "when out of order, never run");
	free(out);
	list[0] = '\0';
	history_each_unapplied(&h, rows, 2, unapplied, list);
	is_str(list, "", "not unapplied either: drizzle would skip it");
	history_free(&h);

	/* Two entries of the same "when": the row is the first's, the
	 * second is not taken for an edited file. */
	healthy(&h, rows);
	h.j.v[2].when = 200;
	out = check(&h, rows, 2);
	is_str(out, "0002_c: its \"when\" 200 is not after the previous entry's (0001_b, 200): drizzle runs entries in "
	       "the order of \"when\"\n0002_c: drizzle's migrator will never run it: its \"when\" 200 is not after the "
	       "last applied migration's created_at 200, and it was not applied\n", "a duplicate when");
	free(out);
	history_free(&h);

	/* A tracking row no file matches; and one matched by hash only. */
	healthy(&h, rows);
	rows[2] = row(3, "DROP TABLE z;\n", 250);
	rows[2].tag = "0002_zap";
	rows[3] = row(4, "CREATE TABLE c ();\n", 260);
	out = check(&h, rows, 4);
	is_str(out, "tracking row #3 (0002_zap, created_at 250): matches no file in /m\n",
	       "a row matching no file, by when or hash (check: %s)", out);
	free(out);
	history_free(&h);

	/* A broken journal: one line, the rest still checked by hash. */
	healthy(&h, rows);
	journal_free(&h.j);
	h.journal_error = strdup("meta/_journal.json: invalid JSON");
	out = check(&h, rows, 2);
	is_str(out, "meta/_journal.json: invalid JSON (the other checks need the journal)\n", "a broken journal");
	free(out);
	history_free(&h);
	ok(!strcmp((out = check(NULL, rows, 2)), ""), "no migrations_dir: nothing to check");
	free(out);

	/* A real folder read from disk. */
	char tmpl[] = "/tmp/test_history.XXXXXX", path[128];
	ok(mkdtemp(tmpl) != NULL, "a temp folder");
	snprintf(path, sizeof path, "%s/meta", tmpl);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/meta/_journal.json", tmpl);
	FILE *fp = fopen(path, "w");
	fputs("{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{\"idx\":0,\"version\":\"7\",\"when\":100,"
	      "\"tag\":\"0000_a\",\"breakpoints\":true}]}", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/0000_a.sql", tmpl);
	fp = fopen(path, "w");
	fputs("abc", fp);
	fclose(fp);
	struct history d, d2;
	history_read(tmpl, NULL, &d);
	ok(!d.dir_error && !d.journal_error && d.j.n == 1 && d.nfiles == 1 &&
	   !strcmp(d.files[0].hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	   "history_read: journal and file with its hash");
	history_read(tmpl, &d, &d2);
	ok(history_same(&d, &d2) && !strcmp(d2.files[0].data, "abc") && d2.files[0].len == 3,
	   "read twice (the second from the first): the same");
	history_free(&d2);
	fp = fopen(path, "w");
	fputs("abcd", fp);
	fclose(fp);
	history_read(tmpl, &d, &d2);
	ok(!history_same(&d, &d2) && !strcmp(d2.files[0].data, "abcd"), "a file edited: read again, not the same");
	history_free(&d2);
	unlink(path);
	snprintf(path, sizeof path, "%s/meta/_journal.json", tmpl);
	unlink(path);
	snprintf(path, sizeof path, "%s/meta", tmpl);
	rmdir(path);
	rmdir(tmpl);
	history_free(&d);

	/* Drizzle 1.0's layout: <YYYYMMDDHHMMSS>_<name>/migration.sql. */
	char v1[] = "/tmp/test_history1.XXXXXX";
	ok(mkdtemp(v1) != NULL, "a temp folder for 1.0");
	ok(history_layout(v1) == -1, "an empty folder: no layout");
	const char *names[] = { "20250102030405_b", "20250101000000_a" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", v1, names[i]);
		mkdir(path, 0700);
		snprintf(path, sizeof path, "%s/%s/migration.sql", v1, names[i]);
		fp = fopen(path, "w");
		fputs(names[i], fp);
		fclose(fp);
	}
	ok(history_layout(v1) == 1, "folders with migration.sql: 1.0");
	ok(history_folder_millis("20250102030405_b") == 1735787045000LL && history_folder_millis("x") == 0,
	   "folderMillis as Date.UTC of the name's first 14 digits");
	history_read(v1, NULL, &d);
	ok(d.v1 && d.j.n == 2 && !strcmp(d.j.v[0].tag, "20250101000000_a") && d.j.v[1].when == 1735787045000LL &&
	   history_file_of(&d, "20250102030405_b") && !strcmp(history_file_of(&d, "20250102030405_b")->data,
								"20250102030405_b"),
	   "history_read: one entry per folder, in the order of names, its file <name>.sql");
	struct cat_migration r1[2] = { { .id = 1, .tag = "20250102030405_b", .created_at = 1 } };
	char buf[256] = "";
	history_each_unapplied(&d, r1, 1, unapplied, buf);
	ok(!strcmp(buf, "20250101000000_a "), "1.0: unapplied by name, not by time: %s", buf);
	ok(history_unapplied_named(&d, r1, 1, "20250101000000_a.sql") &&
	   !history_unapplied_named(&d, r1, 1, "20250102030405_b.sql"), "1.0: unapplied_named by name");
	r1[0] = (struct cat_migration){ .id = 1, .hash = "x", .created_at = 1735689600123LL };
	buf[0] = '\0';
	history_each_unapplied(&d, r1, 1, unapplied, buf);
	ok(!strcmp(buf, "20250102030405_b "), "1.0, a row without a name: matched by created_at to the second: %s",
	   buf);
	ok(!strcmp((out = check(&d, r1, 1)), ""), "1.0: nothing to check: %s", out);
	free(out);
	r1[1] = (struct cat_migration){ .id = 2, .tag = "20250103000000_gone", .created_at = 5 };
	ok(strstr((out = check(&d, r1, 2)), "20250103000000_gone, created_at 5): matches no folder") != NULL,
	   "1.0: a row no folder matches: %s", out);
	free(out);
	history_free(&d);
	ok(history_tag_number("20250101000000_a") == -1, "a 1.0 timestamp is not a number in a sequence");
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s/migration.sql", v1, names[i]);
		unlink(path);
		snprintf(path, sizeof path, "%s/%s", v1, names[i]);
		rmdir(path);
	}
	rmdir(v1);

	/* Numbering: after every row, every tag and every journal entry. */
	struct journal j = { 0 };
	const char *tags[] = { "0000_booking_x", NULL, "0004_staff" };
	ok(history_next_number(NULL, NULL, 0, 0) == 0, "nothing: 0");
	ok(history_next_number(NULL, NULL, 0, 5) == 5, "five rows, no folder: 5");
	ok(history_next_number(&j, tags, 3, 3) == 5, "after the tags' numbers: 5");
	journal_add(&j, "0000_a", 1);
	journal_add(&j, "0007_b", 2);
	ok(history_next_number(&j, tags, 3, 3) == 8, "after the journal's numbers: 8");
	ok(history_tag_number("0012_x") == 12 && history_tag_number("x_0012") == -1 && history_tag_number("12") == -1,
	   "a tag's number");
	journal_free(&j);
	return done_testing();
}
