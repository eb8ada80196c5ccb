/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/addr.c against inet_pton and by hand. */
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "../tap.h"
#include "banned.h"

static const char *
fmt(const char *in)
{
	static char buf[SIFT_ADDR_STRLEN];
	struct sift_addr a;

	if (sift_addr_parse(in, strlen(in), &a) == -1)
		return "ERR";
	sift_addr_format(&a, buf, sizeof(buf));
	return buf;
}

static const char *
cfmt(const char *in, int strict)
{
	static char buf[SIFT_CIDR_STRLEN];
	struct sift_cidr c;

	if (sift_cidr_parse(in, strlen(in), &c, strict) == -1)
		return "ERR";
	sift_cidr_format(&c, buf, sizeof(buf));
	return buf;
}

int
main(void)
{
	struct sift_addr a, b;
	struct sift_cidr c;
	unsigned seed = 12345;

	CHECK_STREQ(fmt("192.0.2.1"), "192.0.2.1");
	CHECK_STREQ(fmt("0.0.0.0"), "0.0.0.0");
	CHECK_STREQ(fmt("255.255.255.255"), "255.255.255.255");
	CHECK_STREQ(fmt("256.0.0.1"), "ERR");
	CHECK_STREQ(fmt("1.2.3"), "ERR");
	CHECK_STREQ(fmt("1.2.3.4.5"), "ERR");
	CHECK_STREQ(fmt("01.2.3.4"), "ERR");
	CHECK_STREQ(fmt("1.2.3.4 "), "ERR");
	CHECK_STREQ(fmt(""), "ERR");
	CHECK_STREQ(fmt("2001:DB8::1"), "2001:db8::1");
	CHECK_STREQ(fmt("::1"), "::1");
	CHECK_STREQ(fmt("::ffff:198.51.100.7"), "198.51.100.7");
	CHECK_STREQ(fmt("2001:db8::1%eth0"), "ERR");
	CHECK_STREQ(fmt("[::1]"), "ERR");
	CHECK_STREQ(fmt("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
	CHECK(sift_addr_parse("1.2.3.4;rm", 10, &a) == -1);

	CHECK_STREQ(cfmt("192.0.2.77/24", 0), "192.0.2.0/24");
	CHECK_STREQ(cfmt("192.0.2.77/24", 1), "ERR");
	CHECK_STREQ(cfmt("192.0.2.0/24", 1), "192.0.2.0/24");
	CHECK_STREQ(cfmt("192.0.2.1/32", 1), "192.0.2.1");
	CHECK_STREQ(cfmt("192.0.2.1/33", 0), "ERR");
	CHECK_STREQ(cfmt("192.0.2.1/", 0), "ERR");
	CHECK_STREQ(cfmt("0.0.0.0/0", 1), "0.0.0.0/0");
	CHECK_STREQ(cfmt("2001:db8::/32", 1), "2001:db8::/32");
	CHECK_STREQ(cfmt("2001:db8::1/64", 0), "2001:db8::/64");
	CHECK_STREQ(cfmt("::ffff:10.0.0.0/104", 1), "10.0.0.0/8");
	CHECK_STREQ(cfmt("10.0.0.0/0008", 1), "ERR");

	CHECK(sift_cidr_parse("10.1.0.0/16", 11, &c, true) == 0);
	CHECK(sift_addr_parse("10.1.200.3", 10, &a) == 0);
	CHECK(sift_cidr_contains(&c, &a));
	CHECK(sift_addr_parse("10.2.0.1", 8, &a) == 0);
	CHECK(!sift_cidr_contains(&c, &a));
	CHECK(sift_addr_parse("::ffff:10.1.0.9", 15, &a) == 0);
	CHECK(sift_cidr_contains(&c, &a));

	CHECK(sift_addr_parse("127.0.0.1", 9, &a) == 0 &&
	    sift_addr_is_special(&a));
	CHECK(sift_addr_parse("fe80::1", 7, &a) == 0 &&
	    sift_addr_is_special(&a));
	CHECK(sift_addr_parse("192.0.2.1", 9, &a) == 0 &&
	    !sift_addr_is_special(&a));

	/* Differential: random IPv4 text against inet_pton. */
	for (int i = 0; i < 20000; i++) {
		char buf[64];
		struct in_addr in4;
		unsigned x;
		int ok1, ok2;

		x = (unsigned)rand_r(&seed);
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", x & 0x1ff,
		    (x >> 9) & 0xff, (x >> 17) & 0xff, (unsigned)rand_r(&seed) % 300);
		ok1 = sift_addr_parse(buf, strlen(buf), &a) == 0;
		ok2 = inet_pton(AF_INET, buf, &in4) == 1;
		if (ok1 != ok2) {
			CHECK(ok1 == ok2);
			printf("# input %s\n", buf);
			break;
		}
		if (ok1) {
			sift_addr_from_v4(&b, ntohl(in4.s_addr));
			if (!sift_addr_eq(&a, &b)) {
				CHECK(sift_addr_eq(&a, &b));
				break;
			}
		}
	}
	CHECK(sift_addr_hash(&a) != 0);
	return tap_done();
}
