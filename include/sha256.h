/*
 * sha256: SHA-256 of a byte string, as lowercase hex (drizzle's migration
 * hash). Pure; computed locally so that the history check (history.h)
 * costs no query per file.
 */
#ifndef SCHEMAFS_SHA256_H
#define SCHEMAFS_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* Writes 64 hex digits and a NUL into HEX (at least 65 bytes). */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif
