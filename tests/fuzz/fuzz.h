/* fuzz.h: what the libFuzzer targets in tests/fuzz/ share. Each target is one file,
 * fuzz-<name>.c, built by `make fuzz` with clang -fsanitize=fuzzer,address,undefined against
 * an instrumented libascbell.a (build/fuzz/). A target must free everything it made: the
 * fuzzer's leak check treats a leak as a finding, like a crash. */
#ifndef ASCBELL_FUZZ_H
#define ASCBELL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (stopping at its first NUL, as a C string would). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A file descriptor that reads exactly these bytes, for code that read(2)s a descriptor. */
static inline int fuzz_fd(const void *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	const char *p = data;
	size_t done = 0;

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, p + done, size - done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* The next piece of a many-part input: parts are separated by FUZZ_SEPARATOR, a line that
 * is not valid JSON nor HTTP, so a seed is written by hand as the parts one after another.
 * Returns 0 when there is no part left. */
#define FUZZ_SEPARATOR "\n%%\n"
struct fuzz_parts {
	const char *at, *end;
};

static inline int fuzz_next_part(struct fuzz_parts *p, const char **part, size_t *len)
{
	const char *sep;

	if (!p->at || p->at > p->end)
		return 0;
	sep = memmem(p->at, (size_t)(p->end - p->at), FUZZ_SEPARATOR, sizeof FUZZ_SEPARATOR - 1);
	*part = p->at;
	*len = sep ? (size_t)(sep - p->at) : (size_t)(p->end - p->at);
	p->at = sep ? sep + sizeof FUZZ_SEPARATOR - 1 : p->end + 1;
	return 1;
}

#endif
