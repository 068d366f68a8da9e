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
	return done_testing();
}
