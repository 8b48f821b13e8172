/* json_dump writes what libjq's jv_dump_string(v, 0) writes, byte for byte: every fixture
 * (payloads, events, templates), every ASCII character in a string and a key, non-ASCII
 * text, numbers of every shape, and objects whose keys were deleted and set again. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsondump.h"
#include "tap.h"

static int same_as_libjq(jv v)
{
	jv expected = jv_dump_string(jv_copy(v), 0);
	struct buf got = BUF_INIT;
	int same;

	json_dump(v, &got);
	same = got.len == (size_t)jv_string_length_bytes(jv_copy(expected)) &&
	       memcmp(got.data, jv_string_value(expected), got.len) == 0;
	if (!same)
		printf("#   libjq: %s\n#   ours:  %.*s\n", jv_string_value(expected), (int)got.len, got.data);
	jv_free(expected);
	jv_free(v);
	buf_free(&got);
	return same;
}

static void check(jv v, const char *what)
{
	TAP_CHECK(same_as_libjq(v), what);
}

/* Every .json file under dir (each one value). */
static void check_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096], what[4200];
	int files = 0, good = 0;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		files++;
		good += same_as_libjq(jv_load_file(path, 0));
	}
	if (d)
		closedir(d);
	snprintf(what, sizeof what, "%d files in %s", files, dir);
	TAP_CHECK(files > 0 && good == files, what);
}

int main(int argc, char **argv)
{
	char ascii[128];
	jv obj;
	int i;

	for (i = 0; i < 127; i++)
		ascii[i] = (char)(i + 1);
	ascii[127] = '\0';
	check(jv_string(ascii), "every ASCII character but NUL in a string");
	check(jv_object_set(jv_object(), jv_string(ascii), jv_string("x")), "... and in a key");
	check(jv_string_sized("a\0b", 3), "NUL inside a string");
	check(jv_string("é ü 😀 \xe2\x80\xa8 \xc2\x85 \xef\xbf\xbd"), "non-ASCII, U+2028, a C1 control, U+FFFD");
	check(jv_string_sized("\xff\xfe", 2), "invalid UTF-8 (made U+FFFD by libjq)");
	check(jv_string(""), "the empty string");
	check(jv_number(0), "0");
	check(jv_number(-0.0), "-0");
	check(jv_number(1.5), "1.5");
	check(jv_number(6447123456), "an app id as a number");
	check(jv_number(1e300), "1e300");
	check(jv_number(1.0 / 3), "1/3");
	check(jv_number(1e308 * 10), "infinity");
	check(jv_number(0.0 / 0.0), "NaN");
	check(jv_parse("[null,true,false,[],{},[[{\"a\":[1,{}]}]]]"), "nested arrays and objects, empty ones");
	obj = jv_parse("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}");
	obj = jv_object_delete(obj, jv_string("b"));
	obj = jv_object_set(obj, jv_string("b"), jv_string("again"));
	obj = jv_object_set(obj, jv_string("e"), jv_null());
	check(obj, "an object with a key deleted and set again");
	/* Run from the top of the tree (make unit), or given the directories. */
	if (argc == 1) {
		check_files("tests/fixtures/asc");
		check_files("tests/fixtures/asc-more");
		check_files("tests/fixtures/events");
	}
	for (i = 1; i < argc; i++)
		check_files(argv[i]);
	return tap_done();
}
