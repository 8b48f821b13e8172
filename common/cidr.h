/* cidr: address ranges (192.0.2.0/24, 2001:db8::/32, or one address) and whether an
 * address falls in one of them. IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) count as IPv4. */
#ifndef ASCBELL_CIDR_H
#define ASCBELL_CIDR_H

#include <stddef.h>

struct cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

struct cidr_list {
	struct cidr *items;
	size_t count;
};

/* Adds one range; 0, or -1 when text is not an address or a range. */
int cidr_add(struct cidr_list *list, const char *text);

/* Adds a comma-separated list (blanks allowed); -1 at the first bad item. */
int cidr_add_list(struct cidr_list *list, const char *text);

/* Whether the address (text) is in any range of the list. */
int cidr_contains(const struct cidr_list *list, const char *address);

void cidr_free(struct cidr_list *list);

#endif
