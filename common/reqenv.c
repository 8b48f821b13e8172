/* reqenv: per-request environment variables that can be taken back. */
#include "reqenv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

extern char **environ;

/* One change: the variable's name, our string (or NULL for a removal), and the entry it
 * replaced (NULL when there was none), which belongs to whoever made it and is kept. */
struct change {
	char *name;
	char *mine;
	char *before;
};

static struct change *changes;
static size_t count, capacity;

static char *current_entry(const char *name)
{
	size_t len = strlen(name);
	char **e;

	for (e = environ; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e;
	return NULL;
}

static struct change *record(const char *name)
{
	struct change *c;

	if (count == capacity) {
		size_t more = capacity ? capacity * 2 : 32;
		struct change *grown = realloc(changes, more * sizeof *grown);
		if (!grown)
			return NULL;
		changes = grown;
		capacity = more;
	}
	c = &changes[count];
	c->name = strdup(name);
	if (!c->name)
		return NULL;
	c->mine = NULL;
	c->before = current_entry(name);
	count++;
	return c;
}

int reqenv_set(const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);
	struct change *c = record(name);

	if (!c)
		return -1;
	c->mine = malloc(nlen + vlen + 2);
	if (!c->mine)
		return -1;
	memcpy(c->mine, name, nlen);
	c->mine[nlen] = '=';
	memcpy(c->mine + nlen + 1, value, vlen + 1);
	/* putenv keeps our pointer and copies nothing: the string is ours to free later. */
	return putenv(c->mine) == 0 ? 0 : -1;
}

void reqenv_unset(const char *name)
{
	if (record(name))
		unsetenv(name);
}

void reqenv_restore(void)
{
	while (count > 0) {
		struct change *c = &changes[--count];
		if (c->before)
			putenv(c->before);
		else
			unsetenv(c->name);
		free(c->mine);
		free(c->name);
	}
}
