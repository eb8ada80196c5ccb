/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/json and lib/obuf. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "obuf.h"
#include "../tap.h"
#include "banned.h"

static struct sift_obuf b = SIFT_OBUF_INIT;

/* The buffer as a C string (tests only use text without NUL). */
static const char *
s(void)
{
	sift_obuf_putc(&b, '\0');
	b.n--;
	return b.p;
}

static const char *
esc(const char *p, size_t n)
{
	sift_obuf_reset(&b);
	sift_json_quote(&b, p, n);
	return s();
}

#define ESC(lit)	esc((lit), sizeof(lit) - 1)

/* Is p[0..n) valid UTF-8 with no byte below 0x20? */
static int
clean_utf8(const char *str, size_t n)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t i = 0, len, bad;

	while (i < n) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		len = sift_utf8_seq(p + i, n - i, &bad);
		if (len == 0)
			return 0;
		i += len;
	}
	return 1;
}

/* Decode a quoted JSON string back to bytes (\u00XX and U+FFFD only). */
static size_t
unquote(const char *p, size_t n, char *out)
{
	size_t i = 1, o = 0;

	while (i < n - 1) {
		if (p[i] != '\\') {
			out[o++] = p[i++];
			continue;
		}
		switch (p[i + 1]) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'u':
			out[o++] = (char)strtol((char[]){ p[i + 4], p[i + 5],
			    '\0' }, NULL, 16);
			i += 4;
			break;
		default:
			out[o++] = p[i + 1];
			break;
		}
		i += 2;
	}
	return o;
}

static void
test_escape(void)
{
	CHECK_STREQ(ESC(""), "\"\"");
	CHECK_STREQ(ESC("plain text"), "\"plain text\"");
	CHECK_STREQ(ESC("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STREQ(ESC("\t\n\r\b\f"), "\"\\t\\n\\r\\b\\f\"");
	CHECK_STREQ(ESC("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	CHECK_STREQ(ESC("a\0b"), "\"a\\u0000b\"");
	/* valid UTF-8 passes through */
	CHECK_STREQ(ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* Latin-1 byte */
	CHECK_STREQ(ESC("caf\xe9!"), "\"caf\xef\xbf\xbd!\"");
	/* overlong, surrogate, above U+10FFFF, lone continuation */
	CHECK_STREQ(ESC("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STREQ(ESC("\xed\xa0\x80"),
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STREQ(ESC("\xf4\x90\x80\x80"),
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK_STREQ(ESC("\x80x"), "\"\xef\xbf\xbdx\"");
	/* truncated sequence: one U+FFFD for the maximal subpart */
	CHECK_STREQ(ESC("\xe2\x82"), "\"\xef\xbf\xbd\"");
	CHECK_STREQ(ESC("\xe2\x82x"), "\"\xef\xbf\xbdx\"");
	CHECK_STREQ(ESC("\xf0\x9f\x98"), "\"\xef\xbf\xbd\"");
	CHECK_STREQ(ESC("\xff\xfe"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
}

static void
test_random(void)
{
	char in[64], back[64 * 6];
	size_t n, m;
	int allclean = 1, roundtrip = 1;
	unsigned seed = 12345;

	for (int t = 0; t < 20000; t++) {
		n = (size_t)(t % 64);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = (char)(seed >> 16);
			/* half the runs in ASCII, so round trips are checked */
			if (t % 2 == 0)
				in[i] &= 0x7f;
		}
		esc(in, n);
		if (b.n < 2 || b.p[0] != '"' || b.p[b.n - 1] != '"' ||
		    !clean_utf8(b.p, b.n))
			allclean = 0;
		if (t % 2 == 0) {
			m = unquote(b.p, b.n, back);
			if (m != n || memcmp(back, in, n) != 0)
				roundtrip = 0;
		}
	}
	CHECK(allclean);
	CHECK(roundtrip);
}

static void
test_writer(void)
{
	struct sift_json j;

	sift_obuf_reset(&b);
	sift_json_init(&j, &b);
	sift_json_obj_begin(&j);
	sift_json_keyc(&j, "a");
	sift_json_i64(&j, -42);
	sift_json_keyc(&j, "b");
	sift_json_strc(&j, "x\"y");
	sift_json_keyc(&j, "c");
	sift_json_arr_begin(&j);
	sift_json_u64(&j, 0);
	sift_json_u64(&j, UINT64_MAX);
	sift_json_obj_begin(&j);
	sift_json_obj_end(&j);
	sift_json_arr_begin(&j);
	sift_json_arr_end(&j);
	sift_json_null(&j);
	sift_json_bool(&j, true);
	sift_json_bool(&j, false);
	sift_json_arr_end(&j);
	sift_json_keyc(&j, "d");
	sift_json_obj_begin(&j);
	sift_json_keyc(&j, "e\n");
	sift_json_raw(&j, "1.5", 3);
	sift_json_keyc(&j, "f");
	sift_json_fixed(&j, 2.0 / 3, 3);
	sift_json_keyc(&j, "g");
	sift_json_fixed(&j, -0.25, 1);
	sift_json_keyc(&j, "h");
	sift_json_fixed(&j, 7, 0);
	sift_json_obj_end(&j);
	sift_json_keyc(&j, "i");
	sift_json_i64(&j, INT64_MIN);
	sift_json_obj_end(&j);
	sift_json_newline(&j);
	sift_json_obj_begin(&j);
	sift_json_keyc(&j, "n");
	sift_json_i64(&j, 1);
	sift_json_obj_end(&j);
	sift_json_newline(&j);
	CHECK_STREQ(s(), "{\"a\":-42,\"b\":\"x\\\"y\",\"c\":[0,"
	    "18446744073709551615,{},[],null,true,false],"
	    "\"d\":{\"e\\n\":1.5,\"f\":0.667,\"g\":-0.3,\"h\":7},"
	    "\"i\":-9223372036854775808}\n{\"n\":1}\n");
}

static void
test_numbers(void)
{
	static const uint64_t v[] = { 0, 9, 10, 99, 100, 101, 12345,
	    4294967295u, 10000000000000000000u };
	static const char *want[] = { "0", "9", "10", "99", "100", "101",
	    "12345", "4294967295", "10000000000000000000" };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sift_obuf_reset(&b);
		sift_obuf_u64(&b, v[i]);
		CHECK_STREQ(s(), want[i]);
	}
	sift_obuf_reset(&b);
	sift_obuf_u64w(&b, 7, 3);
	sift_obuf_putc(&b, ' ');
	sift_obuf_u64w(&b, 2026, 4);
	CHECK_STREQ(s(), "007 2026");
}

static void
test_growth(void)
{
	struct sift_obuf g = SIFT_OBUF_INIT;
	int ok = 1;

	for (int i = 0; i < 100000; i++)
		sift_obuf_putc(&g, (char)('a' + i % 26));
	for (int i = 0; i < 100000; i++)
		if (g.p[i] != (char)('a' + i % 26))
			ok = 0;
	CHECK(ok);
	CHECK(g.n == 100000 && g.cap >= g.n);
	sift_obuf_release(&g);
	CHECK(g.p == NULL && g.n == 0);
}

int
main(void)
{
	test_escape();
	test_random();
	test_writer();
	test_numbers();
	test_growth();
	sift_obuf_release(&b);
	return tap_done();
}
