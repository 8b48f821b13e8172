/* cidr: address ranges and membership. */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Parses an address into family and bytes; IPv4-mapped IPv6 becomes IPv4. */
static int parse_address(const char *text, int *family, unsigned char addr[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char clean[64];
	size_t len = strlen(text);

	/* "[::1]" as some tools write it. */
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof clean)
		return -1;
	memcpy(clean, text, len);
	clean[len] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, clean, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, clean, addr) != 1)
		return -1;
	if (memcmp(addr, mapped, sizeof mapped) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	} else {
		*family = AF_INET6;
	}
	return 0;
}

int cidr_add(struct cidr_list *list, const char *text)
{
	char address[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	struct cidr c;
	char *end;
	long bits;

	if (len >= sizeof address)
		return -1;
	memcpy(address, text, len);
	address[len] = '\0';
	if (parse_address(address, &c.family, c.addr) != 0)
		return -1;
	bits = c.family == AF_INET ? 32 : 128;
	if (slash) {
		long given = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || given < 0 || given > bits)
			return -1;
		bits = given;
	}
	c.bits = (int)bits;
	list->items = xrealloc(list->items, (list->count + 1) * sizeof *list->items);
	list->items[list->count++] = c;
	return 0;
}

int cidr_add_list(struct cidr_list *list, const char *text)
{
	char *copy = xstrdup(text), *item, *save = NULL;
	int rc = 0;

	for (item = strtok_r(copy, ",", &save); item && rc == 0; item = strtok_r(NULL, ",", &save)) {
		char *end;
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*item)
			rc = cidr_add(list, item);
	}
	free(copy);
	return rc;
}

static int in_range(const struct cidr *c, int family, const unsigned char addr[16])
{
	int full = c->bits / 8, rest = c->bits % 8;

	if (c->family != family || memcmp(c->addr, addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((c->addr[full] ^ addr[full]) & (0xff << (8 - rest))) == 0;
}

int cidr_contains(const struct cidr_list *list, const char *address)
{
	unsigned char addr[16];
	int family;
	size_t i;

	if (parse_address(address, &family, addr) != 0)
		return 0;
	for (i = 0; i < list->count; i++)
		if (in_range(&list->items[i], family, addr))
			return 1;
	return 0;
}

void cidr_free(struct cidr_list *list)
{
	free(list->items);
	list->items = NULL;
	list->count = 0;
}
