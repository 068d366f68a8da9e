/* names.c: object name <-> file name; see include/names.h. */
#include "names.h"

#include <limits.h>
#include <string.h>

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static int hex_val(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

unsigned long long name_hash(const void *p, size_t len)
{
	const unsigned char *s = p;
	unsigned long long h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void name_escape(struct strbuf *sb, const char *name, const char *suffix)
{
	size_t start = sb->len;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		sb_add(sb, name[1] ? "%2E%2E" : "%2E");
	} else {
		for (const char *p = name; *p; p++) {
			if (*p == '/')
				sb_add(sb, "%2F");
			else if (*p == '%' && ((is_hex(p[1]) && is_hex(p[2])) || p[1] == '~'))
				sb_add(sb, "%25");
			else
				sb_addc(sb, *p);
		}
	}
	size_t slen = strlen(suffix);
	if (sb->len - start + slen > NAME_MAX) {
		/* Cut on a UTF-8 character boundary, keep room for the hash. */
		size_t keep = NAME_MAX - slen - 18;
		while (keep > 0 && ((unsigned char)sb->buf[start + keep] & 0xC0) == 0x80)
			keep--;
		sb->len = start + keep;
		sb->buf[sb->len] = '\0';
		sb_addf(sb, "%%~%016llx", name_hash(name, strlen(name)));
	}
	sb_add(sb, suffix);
}

int name_unescape(char *s)
{
	/* Refused before anything is decoded: S stays as it was. */
	if (strstr(s, "%~"))
		return -1;
	char *out = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '%' && is_hex(p[1]) && is_hex(p[2])) {
			*out++ = (char)(hex_val(p[1]) * 16 + hex_val(p[2]));
			p += 2;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	return 0;
}

/* Length of the UTF-8 sequence at S (at most LEN bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	unsigned min, cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, min = 0x80, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, min = 0x800, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

size_t name_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	while (i < len && (n = utf8_seq(u + i, len - i)))
		i += n;
	return i;
}

void name_display(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(u + i, len - i);
		if (!n || u[i] < 0x20 || u[i] == 0x7F) {
			sb_addf(sb, "\\x%02X", u[i]);
			i++;
		} else {
			sb_addn(sb, s + i, n);
			i += n;
		}
	}
}

unsigned long long listing_hash_seed(void)
{
	return name_hash("/", 1);
}

unsigned long long listing_hash_add(unsigned long long h, const char *name)
{
	return h * 31 + name_hash(name, strlen(name));
}
