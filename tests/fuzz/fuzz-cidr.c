/* fuzz-cidr: common/cidr.c, the --allow and --trust-proxy lists and the addresses checked
 * against them.
 *
 * Input: a list (as $ASCBELL_ALLOW would hold it), FUZZ_SEPARATOR, then addresses one a
 * line. Beyond memory errors: a range cidr_add accepts contains the address it is
 * written with. */
#include "fuzz.h"

#include <stdio.h>

#include "cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts parts = {(const char *)data, (const char *)data + size};
	struct cidr_list list = {NULL, 0}, one = {NULL, 0};
	const char *part;
	size_t len;
	char *text, *line, *save = NULL;

	if (!fuzz_next_part(&parts, &part, &len))
		return 0;
	text = fuzz_string((const uint8_t *)part, len);
	(void)cidr_add_list(&list, text);
	free(text);
	/* A single item as --allow takes it. */
	text = fuzz_string((const uint8_t *)part, len);
	if (cidr_add(&one, text) == 0) {
		/* A range holds the address it was written with. */
		text[strcspn(text, "/")] = '\0';
		if (one.count != 1 || !cidr_contains(&one, text))
			abort();
	}
	free(text);
	if (fuzz_next_part(&parts, &part, &len)) {
		text = fuzz_string((const uint8_t *)part, len);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			(void)cidr_contains(&list, line);
			(void)cidr_contains(&one, line);
		}
		free(text);
	}
	cidr_free(&list);
	cidr_free(&one);
	return 0;
}
