/* Unit tests: whether a transaction ended between two snapshots
 * (txsnap.c), as txid_current_snapshot() prints them. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "txsnap.h"

int main(void)
{
	ok(!txsnap_any_ended("100:100:", "100:100:"), "the same snapshot: nothing ended");
	ok(!txsnap_any_ended("100:100:", "100:101:100"), "one transaction began and still runs: nothing ended");
	ok(!txsnap_any_ended("100:100:", "100:103:100,101,102"), "three began, all still run");
	ok(txsnap_any_ended("100:100:", "101:101:"), "one began and committed");
	ok(txsnap_any_ended("100:100:", "100:103:100,102"), "of three begun, the middle one ended");
	ok(!txsnap_any_ended("90:100:90,95", "90:101:90,95,100"), "two long ones still run, a new one runs");
	ok(txsnap_any_ended("90:100:90,95", "90:100:90"), "one of the long ones ended");
	ok(txsnap_any_ended("90:100:90,95", "95:100:95"), "the oldest ended (xmin moved)");
	ok(!txsnap_any_ended("90:100:95,90", "90:101:100,95,90"), "lists in any order");
	/* A duplicate must not stand for a transaction that ended. */
	ok(txsnap_any_ended("100:100:", "100:103:101,101,101"), "duplicates in the list count once");
	ok(txsnap_any_ended("100:100:", "100:100000:100"), "many xids used since, one listed");
	/* Whatever it cannot read or that goes back: ended (a look too many). */
	ok(txsnap_any_ended(NULL, "100:100:"), "no snapshot before");
	ok(txsnap_any_ended("100:100:", "garbage"), "not a snapshot");
	ok(txsnap_any_ended("100:100:", "100:99:"), "xmax below xmin");
	ok(txsnap_any_ended("100:100:", "100:101:100,"), "a trailing comma");
	ok(txsnap_any_ended("100:100:", "100:101:99"), "a running xid below xmin");
	ok(txsnap_any_ended("100:100:", "100:101:101"), "a running xid at xmax");
	ok(txsnap_any_ended("100:100:", "-1:101:"), "a sign");
	ok(txsnap_any_ended("100:100:", " 100:101:100"), "a blank");
	ok(txsnap_any_ended("100:100:", "100:99999999999999999999999:100"), "an overflow");
	ok(txsnap_any_ended("100:105:", "100:104:"), "xmax went back");
	ok(txsnap_any_ended("100:105:", "99:105:"), "xmin went back");
	/* Real 64-bit txids, with an epoch. */
	ok(!txsnap_any_ended("4294967396:4294967400:4294967396", "4294967396:4294967401:4294967396,4294967400"),
	   "txids past 2^32");
	char big[4 * 6 * 4200 + 64];
	size_t n = (size_t)snprintf(big, sizeof big, "1000:%d:", 1000 + TXSNAP_MAX_XIP + 1);
	for (int i = 0; i <= TXSNAP_MAX_XIP; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "%s%d", i ? "," : "", 1000 + i);
	ok(txsnap_any_ended(big, big), "a list longer than it reads: ended");
	return done_testing();
}
