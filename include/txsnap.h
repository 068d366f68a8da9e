/*
 * txsnap: PostgreSQL's transaction snapshots as txid_current_snapshot()
 * prints them ("xmin:xmax:xip,xip,..."), and whether any transaction
 * ended between two of them. The refresher's probe asks this before it
 * takes a fingerprint (fs/database_load.c): a transaction that only began
 * since moves xmax and adds itself to the running list, yet has changed
 * nothing anyone can see.
 *
 * Pure: no server, no FUSE, no state.
 */
#ifndef SCHEMAFS_TXSNAP_H
#define SCHEMAFS_TXSNAP_H

#include <stdbool.h>

/* Whether a transaction may have ended (committed or rolled back) after
 * snapshot BEFORE was taken and before AFTER was: one that was running in
 * BEFORE (or began after it) and is no longer running in AFTER. True
 * whenever it cannot tell: a text either does not parse, AFTER goes back,
 * or a running list is longer than this reads (TXSNAP_MAX_XIP). False
 * means nothing was committed in between. A subtransaction's own xid is
 * never listed as running, so one that began in between counts as ended:
 * a look for nothing, never one missed. */
bool txsnap_any_ended(const char *before, const char *after);

#define TXSNAP_MAX_XIP 4096

#endif
