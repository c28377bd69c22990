/*
 * hostname.c - host_check, wildcard_check and zone_match against tables of
 * names: what egressc accepts as a host name, what as a wildcard, and that
 * *.zone never matches the zone itself or a look-alike of it.
 */
#include <pthread.h>
#include <string.h>

#include "util/hostname.h"
#include "tap.h"

struct hcase {
	const char	*name;
	const char	*why;		/* NULL: valid */
};

static const struct hcase hosts[] = {
	{ "api.heygen.com", NULL },
	{ "heygen-feapbkvq.livekit.cloud", NULL },
	{ "heygen-feapbkvq.omumbai1a.production.livekit.cloud", NULL },
	{ "a.b", NULL },
	{ "0.example", NULL },			/* digits lead a label: ok */
	{ "a-b.c-d.e1", NULL },
	{ "xn--bcher-kva.example", NULL },	/* IDN as A-label */
	{ "", "empty name" },
	{ "localhost", "a single label, not a domain name" },
	{ "Api.Heygen.com", "upper-case letters" },
	{ "api.heygen.com.", "trailing dot" },
	{ ".api.heygen.com", "empty label" },
	{ "api..heygen.com", "empty label" },
	{ "-api.heygen.com", "label starts or ends with '-'" },
	{ "api-.heygen.com", "label starts or ends with '-'" },
	{ "api.heygen.-com", "label starts or ends with '-'" },
	{ "api_1.heygen.com", "characters other than a-z, 0-9, '-' and '.'" },
	{ "api heygen.com", "characters other than a-z, 0-9, '-' and '.'" },
	{ "api.heygen.com\n", "characters other than a-z, 0-9, '-' and '.'" },
	{ "*.heygen.com", "characters other than a-z, 0-9, '-' and '.'" },
	{ "caf\xc3\xa9.example", "characters other than a-z, 0-9, '-' and '.'" },
	{ "192.0.2.1", "last label all digits (an address?)" },
	{ "host.123", "last label all digits (an address?)" },
	{ "2001:db8::1", "characters other than a-z, 0-9, '-' and '.'" },
};

static const struct hcase wilds[] = {
	{ "*.livekit.cloud", NULL },
	{ "*.turn.livekit.cloud", NULL },
	{ "*.host.livekit.cloud", NULL },
	{ "livekit.cloud", "a wildcard must start with \"*.\"" },
	{ "*livekit.cloud", "a wildcard must start with \"*.\"" },
	{ "x*.livekit.cloud", "a wildcard must start with \"*.\"" },
	{ "*.*.livekit.cloud", "'*' is allowed only as the whole first label" },
	{ "*.livekit.*", "'*' is allowed only as the whole first label" },
	{ "*.cloud", "a single label, not a domain name" },
	{ "*.", "empty name" },
	{ "*", "a wildcard must start with \"*.\"" },
	{ "*.LiveKit.cloud", "upper-case letters" },
	{ "*.livekit.cloud.", "trailing dot" },
};

struct mcase {
	const char	*zone, *name;
	int		 want;
};

static const struct mcase matches[] = {
	{ "livekit.cloud", "heygen-feapbkvq.livekit.cloud", 1 },
	{ "livekit.cloud", "x.y.z.livekit.cloud", 1 },
	{ "livekit.cloud", "ip-161-115-180-211.host.livekit.cloud", 1 },
	{ "livekit.cloud", "livekit.cloud", 0 },	/* never the zone */
	{ "livekit.cloud", "evil-livekit.cloud", 0 },
	{ "livekit.cloud", "xlivekit.cloud", 0 },
	{ "livekit.cloud", "livekit.cloud.evil.com", 0 },
	{ "livekit.cloud", "a.livekit.cloud.evil.com", 0 },
	{ "livekit.cloud", "a.livekitxcloud", 0 },	/* '.' is literal */
	{ "livekit.cloud", "a.livekit-cloud", 0 },
	{ "livekit.cloud", ".livekit.cloud", 0 },
	{ "livekit.cloud", "a..livekit.cloud", 0 },
	{ "livekit.cloud", "-a.livekit.cloud", 0 },
	{ "livekit.cloud", "A.livekit.cloud", 0 },
	{ "livekit.cloud", "a.livekit.cloud.", 0 },
	{ "livekit.cloud", "a.livekit.cloud\n", 0 },
	{ "turn.livekit.cloud", "oashburn1b.turn.livekit.cloud", 1 },
	{ "turn.livekit.cloud", "heygen-feapbkvq.livekit.cloud", 0 },
	{ "turn.livekit.cloud", "evilturn.livekit.cloud", 0 },
	{ "host.livekit.cloud", "ip-161-115-180-211.host.livekit.cloud", 1 },
	{ "host.livekit.cloud", "host.livekit.cloud", 0 },
	{ "cloud", "a.livekit.cloud", -1 },		/* not a zone */
	{ "*.livekit.cloud", "a.livekit.cloud", -1 },
};

/* A name fit for a TAP line: control bytes would end the line. */
static const char *
shown(const char *s)
{
	static char buf[128];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void
long_names(void)
{
	char name[300], label[70];
	const char *why = NULL;

	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.example", label);
	ok(host_check(name, &why) == 0, "a 63-character label is valid");
	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(name, sizeof(name), "%s.example", label);
	ok(host_check(name, &why) < 0, "a 64-character label is not");
	is_str(why, "label longer than 63 characters", "... and says why");

	/* 4 * 61 + 9 = 253 characters: the limit; one more is over. */
	memset(label, 'b', 60);
	label[60] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%s.abcdefghi", label, label,
	    label, label);
	is_int((int)strlen(name), 253, "built a 253-character name");
	ok(host_check(name, &why) == 0, "253 characters are valid");
	snprintf(name, sizeof(name), "%s.%s.%s.%s.abcdefghij", label, label,
	    label, label);
	ok(host_check(name, &why) < 0, "254 characters are not");
	is_str(why, "longer than 253 characters", "... and says why");
	snprintf(name, sizeof(name), "*.%s.%s.%s.%s.abcdefghi", label, label,
	    label, label);
	ok(wildcard_check(name, &why) == 0,
	    "a wildcard over a 253-character zone is valid");
}

/*
 * Threads check names at once (the policy's rules are read on two): each
 * with its own match block, the patterns made before (hostname_ready).
 * The number of answers that were wrong.
 */
static void *
check_many(void *arg)
{
	size_t i, r, bad = 0;
	const char *why;

	(void)arg;
	for (r = 0; r < 2000; r++)
		for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
			if ((host_check(hosts[i].name, &why) == 0) !=
			    (hosts[i].why == NULL) ||
			    (wildcard_check(wilds[i % (sizeof(wilds) /
			    sizeof(wilds[0]))].name, NULL) == 0) !=
			    (wilds[i % (sizeof(wilds) / sizeof(wilds[0]))].why ==
			    NULL))
				bad++;
	hostname_thread_done();
	return (void *)bad;
}

static void
threads(void)
{
	pthread_t th[2];
	void *bad[2] = { (void *)1, (void *)1 };
	size_t k;

	hostname_cleanup();
	hostname_ready();
	for (k = 0; k < 2; k++)
		pthread_create(&th[k], NULL, check_many, NULL);
	for (k = 0; k < 2; k++)
		pthread_join(th[k], &bad[k]);
	ok(bad[0] == NULL && bad[1] == NULL, "two threads check names and "
	    "wildcards at once, every answer right");
}

int
main(void)
{
	const char *why;
	size_t i;

	plan_lazy();
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		why = NULL;
		if (hosts[i].why == NULL) {
			ok(host_check(hosts[i].name, &why) == 0,
			    "valid host: %s", hosts[i].name);
			continue;
		}
		ok(host_check(hosts[i].name, &why) < 0,
		    "invalid host: \"%s\"", shown(hosts[i].name));
		is_str(why, hosts[i].why, hosts[i].why);
	}
	ok(host_check("Api.Heygen.com", NULL) < 0, "why may be NULL");
	for (i = 0; i < sizeof(wilds) / sizeof(wilds[0]); i++) {
		why = NULL;
		if (wilds[i].why == NULL) {
			ok(wildcard_check(wilds[i].name, &why) == 0,
			    "valid wildcard: %s", wilds[i].name);
			continue;
		}
		ok(wildcard_check(wilds[i].name, &why) < 0,
		    "invalid wildcard: \"%s\"", wilds[i].name);
		is_str(why, wilds[i].why, wilds[i].why);
	}
	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
		is_int(zone_match(matches[i].zone, matches[i].name),
		    matches[i].want, matches[i].want == 1 ?
		    "*.zone matches a name under it" : matches[i].want == 0 ?
		    "*.zone rejects the zone itself and look-alikes" :
		    "an invalid zone is -1");
	long_names();
	threads();
	/* Patterns come back after cleanup (the lead may call it early). */
	hostname_cleanup();
	ok(host_check("api.heygen.com", NULL) == 0, "usable after cleanup");
	is_int(zone_match("livekit.cloud", "evil-livekit.cloud"), 0,
	    "zone patterns are rebuilt after cleanup");
	hostname_cleanup();
	hostname_cleanup();
	ok(1, "hostname_cleanup twice is safe");
	return done_testing();
}
