/*
 * hostname.h - what egressc accepts as a host name or a wildcard, and which
 * names a wildcard's zone covers (PCRE2, compiled once per process).
 */
#ifndef EGRESSC_HOSTNAME_H
#define EGRESSC_HOSTNAME_H

/*
 * 0 when name is a host name egressc accepts: RFC 1123 labels of 1-63
 * characters [a-z0-9-], none starting or ending with '-', at least two
 * labels, 253 characters in all, lower case (callers lower-case first), no
 * trailing dot, and a last label that is not all digits (that would be an
 * address).  Else -1 and *why (may be NULL) says why in a few words.
 */
int	host_check(const char *name, const char **why);
/* 0 when pattern is "*." followed by a valid host name (the zone). */
int	wildcard_check(const char *pattern, const char **why);
/*
 * Does name lie under zone's wildcard: one or more labels, then ".zone"?
 * zone is the part after "*.".  Never zone itself, never a look-alike.
 * -1 on an invalid zone.
 */
int	zone_match(const char *zone, const char *name);
/* Free the compiled patterns (call once at exit; safe to call twice). */
void	hostname_cleanup(void);
/*
 * Threads: host_check() and wildcard_check() compile their patterns the
 * first time, so call hostname_ready() before other threads use them;
 * a thread that used them calls hostname_thread_done() before it ends.
 * (zone_match() caches patterns: one thread only.)
 */
void	hostname_ready(void);
void	hostname_thread_done(void);

#endif
