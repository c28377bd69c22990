/*
 * registry.c - the list of targets, in the order of egressc(1)'s TARGETS
 * list.
 */
#include <string.h>

#include "backend/backend.h"

extern const struct backend be_nftables, be_iptables, be_pf, be_netsh,
    be_powershell, be_cisco_ios, be_cisco_asa, be_dnsmasq;

const struct backend *const be_all[] = {
	&be_nftables,
	&be_iptables,
	&be_pf,
	&be_netsh,
	&be_powershell,
	&be_cisco_ios,
	&be_cisco_asa,
	&be_dnsmasq,
	NULL
};

const struct backend *
be_find(const char *name)
{
	size_t i;

	for (i = 0; be_all[i] != NULL; i++)
		if (strcmp(be_all[i]->name, name) == 0)
			return be_all[i];
	return NULL;
}

size_t
be_nsuffixes(const struct backend *be)
{
	size_t n = 0;

	while (be->suffixes[n] != NULL)
		n++;
	return n;
}
