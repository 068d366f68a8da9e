/* sqlpos.c: byte offsets to lines and characters; see include/sqlpos.h. */
#include "sqlpos.h"

static int is_continuation(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

void sqlpos_line_char(const char *text, size_t off, int *line, int *chr)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n')
			l++, c = 1;
		else if (!is_continuation(text[i]))
			c++;
	}
	*line = l;
	*chr = c;
}

size_t sqlpos_char_offset(const char *text, size_t start, size_t end, long nchars)
{
	size_t at = start;
	for (long k = 1; k < nchars && at < end; k++) {
		at++;
		while (at < end && is_continuation(text[at]))
			at++;
	}
	return at;
}

size_t sqlpos_first_token(const char *text, size_t at, size_t end)
{
	while (at < end) {
		char c = text[at];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			at++;
		} else if (at + 1 < end && c == '-' && text[at + 1] == '-') {
			while (at < end && text[at] != '\n')
				at++;
		} else if (at + 1 < end && c == '/' && text[at + 1] == '*') {
			/* Block comments nest in PostgreSQL. */
			int depth = 1;
			for (at += 2; at < end && depth; at++) {
				if (at + 1 < end && text[at] == '/' && text[at + 1] == '*')
					depth++, at++;
				else if (at + 1 < end && text[at] == '*' && text[at + 1] == '/')
					depth--, at++;
			}
		} else {
			break;
		}
	}
	return at < end ? at : end;
}
