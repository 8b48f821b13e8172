/* tap: the smallest Test Anything Protocol writer, so C-level tests are counted with the
 * bats ones. Each check prints "ok N - what" or "not ok N - what". */
#ifndef ASCBELL_TAP_H
#define ASCBELL_TAP_H

#include <stdio.h>

static int tap_count;
static int tap_failed;

#define TAP_CHECK(cond, what)                                                        \
	do {                                                                         \
		int tap_ok_ = (cond) != 0;                                           \
		printf("%sok %d - %s\n", tap_ok_ ? "" : "not ", ++tap_count, what);   \
		if (!tap_ok_) {                                                      \
			printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			tap_failed++;                                                \
		}                                                                    \
	} while (0)

/* Prints the plan last (TAP allows it at the end) and gives main its exit status. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
