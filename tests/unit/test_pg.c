/* Unit tests: password redaction (pg.c), no server needed. */
#include <string.h>

#include "pg.h"
#include "tap.h"

int main(void)
{
	char msg[64];
	/* A one-byte password grows to "***": the buffer must still hold. */
	memset(msg, 'a', sizeof msg - 1);
	msg[sizeof msg - 1] = '\0';
	pg_redact("host=x password=a", msg, sizeof msg);
	ok(strlen(msg) < sizeof msg && !strchr(msg, 'a'), "every occurrence replaced, within the buffer");

	char m2[256] = "FATAL: password authentication failed: SeCrEt123 and again SeCrEt123\n";
	pg_redact("postgresql://u:SeCrEt123@h/db", m2, sizeof m2);
	ok(!strstr(m2, "SeCrEt123") && strstr(m2, "***"), "URI password removed: %s", m2);
	ok(!strchr(m2, '\n'), "message folded onto one line");

	char m3[256] = "invalid percent-encoded token: \"50%off\"";
	pg_redact("postgresql://app:50%off@db/app", m3, sizeof m3);
	ok(!strstr(m3, "50%off"), "unparsable conninfo: nothing of it shown: %s", m3);

	char m4[256] = "could not connect";
	pg_redact("dbname=x", m4, sizeof m4);
	ok(!strcmp(m4, "could not connect"), "no password: message unchanged");

	/* Found by review (catalog_aux.c's own copy): a password the
	 * replacement contains must not be found again in it. */
	char m5[64] = "a *** b * c";
	pg_redact_password("*", m5, sizeof m5);
	ok(!strcmp(m5, "a ********* b *** c"), "a password of one star: each replaced once: %s", m5);
	char m6[64] = "x***y";
	pg_redact_password("***", m6, sizeof m6);
	ok(!strcmp(m6, "x***y"), "a password of three stars: %s", m6);
	char m7[16] = "abcdefghijklmnq";
	pg_redact_password("q", m7, sizeof m7);
	ok(strlen(m7) == sizeof m7 - 1 && !strncmp(m7, "abcdefghijklmn*", sizeof m7 - 1),
	   "a match at the buffer's end: cut, within the buffer: %s", m7);
	char m8[16] = "keep";
	pg_redact_password("", m8, sizeof m8);
	pg_redact_password(NULL, m8, sizeof m8);
	ok(!strcmp(m8, "keep"), "an empty or no password: unchanged");
	return done_testing();
}
