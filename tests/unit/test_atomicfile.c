/* Unit tests: crash-safe replacement (atomicfile.c), whole and in pieces. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "tap.h"

/* How many entries of DIR hold ".tmp." (temp files left behind). */
static int temps(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strstr(e->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/test_atomicfile.XXXXXX";
	ok(mkdtemp(dir) != NULL, "a scratch directory");
	char file[256], missing[256];
	snprintf(file, sizeof file, "%s/f", dir);
	snprintf(missing, sizeof missing, "%s/no/such/dir/f", dir);

	ok(atomic_write(file, "old", 3) == 0, "atomic_write");
	size_t len;
	char *got = file_read_all(file, &len);
	is_str(got, "old", "its content");
	free(got);

	/* In pieces: nothing shows until the commit. */
	struct atomic_file af;
	ok(atomic_begin(&af, file) == 0, "atomic_begin");
	ok(atomic_add(&af, "ne", 2) == 0 && atomic_add(&af, "w!", 2) == 0 && atomic_add(&af, "", 0) == 0,
	   "atomic_add, three pieces");
	got = file_read_all(file, &len);
	is_str(got, "old", "before the commit the file is as it was");
	free(got);
	ok(temps(dir) == 1, "its temp file is there meanwhile");
	ok(atomic_commit(&af) == 0, "atomic_commit");
	got = file_read_all(file, &len);
	is_str(got, "new!", "after it, the new content");
	free(got);
	ok(temps(dir) == 0, "no temp file left");

	/* A directory that does not exist: begin fails, add and commit
	 * return its error, nothing is left and nothing crashes. */
	int rc = atomic_begin(&af, missing);
	ok(rc == -ENOENT, "atomic_begin in a missing directory: -ENOENT (%d)", rc);
	ok(atomic_add(&af, "x", 1) == -ENOENT, "atomic_add after it returns the same error");
	ok(atomic_commit(&af) == -ENOENT, "atomic_commit after it returns the same error");
	ok(atomic_write(missing, "x", 1) == -ENOENT, "atomic_write there: -ENOENT");
	ok(temps(dir) == 0, "no temp file left after the failures");

	unlink(file);
	rmdir(dir);
	return done_testing();
}
