/* The env file as asc-http reads it: every value it accepts must be the value sh gives the
 * same line (checked against /bin/sh itself), and every line it cannot read like sh is
 * refused, never guessed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envfile.h"
#include "tap.h"

static const char *const wanted[] = {"ASCBELL_ALLOW", "ASCBELL_APPS_DIR", NULL};
static char path[] = "/tmp/ascbell-envfile-XXXXXX";

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* What sh makes of the file for ASCBELL_ALLOW. */
static void sh_value(char *out, size_t size)
{
	char command[256];
	FILE *p;
	size_t n;

	snprintf(command, sizeof command, "sh -c '. %s; printf %%s \"${ASCBELL_ALLOW-UNSET}\"'", path);
	p = popen(command, "r");
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	pclose(p);
}

/* text is read, ASCBELL_ALLOW is expected (NULL: unset), and sh agrees. */
static void accepted(const char *text, const char *expected, const char *what)
{
	struct envfile env;
	char err[512] = "", shell[256];
	const char *value;
	int rc;

	write_file(text);
	rc = envfile_read(path, wanted, &env, err, sizeof err);
	value = rc == 0 ? envfile_get(&env, "ASCBELL_ALLOW") : NULL;
	sh_value(shell, sizeof shell);
	TAP_CHECK(rc == 0 && (expected ? value && strcmp(value, expected) == 0 : value == NULL), what);
	TAP_CHECK(strcmp(shell, expected ? expected : "UNSET") == 0, "sh reads it the same way");
	if (rc == 0)
		envfile_free(&env);
	else
		printf("#   %s\n", err);
}

/* text is refused with a message that contains needle. */
static void refused(const char *text, const char *needle, const char *what)
{
	struct envfile env;
	char err[512] = "";

	write_file(text);
	TAP_CHECK(envfile_read(path, wanted, &env, err, sizeof err) == -1 && strstr(err, needle), what);
	if (!strstr(err, needle))
		printf("#   got: %s\n", err);
}

int main(void)
{
	struct envfile env;
	char err[512];
	int fd = mkstemp(path);

	close(fd);
	accepted("ASCBELL_ALLOW=17.0.0.0/8\n", "17.0.0.0/8", "a plain value");
	accepted("# comment\n\n  \nASCBELL_ALLOW=1.2.3.4", "1.2.3.4", "comments, blank lines, no final newline");
	accepted("export ASCBELL_ALLOW=1.2.3.4\n", "1.2.3.4", "export in front");
	accepted("ASCBELL_ALLOW='17.0.0.0/8, 10.0.0.0/8'\n", "17.0.0.0/8, 10.0.0.0/8", "single quotes keep blanks");
	accepted("ASCBELL_ALLOW=\"a\\\"b\\\\c\\$d\\`e\\x\"\n", "a\"b\\c$d`e\\x", "double quotes and their escapes");
	accepted("ASCBELL_ALLOW='$HOME'\n", "$HOME", "a dollar in single quotes is a dollar");
	accepted("ASCBELL_ALLOW=a'b c'\"d\"\\ e\n", "ab cd e", "quoted parts joined into one word");
	accepted("ASCBELL_ALLOW=1.2.3.4 # Apple\n", "1.2.3.4", "a comment after the value");
	accepted("ASCBELL_ALLOW=a#b\n", "a#b", "a # inside a word is not a comment");
	accepted("ASCBELL_ALLOW=\n", "", "an empty value");
	accepted("ASCBELL_ALLOW=one\nASCBELL_ALLOW=two\n", "two", "the last assignment wins");
	accepted("OTHER=$HOME/x\nASCBELL_ALLOW=1.2.3.4\n", "1.2.3.4", "another name may use the shell");
	accepted("OTHER=~/x\n", NULL, "unset when the file does not name it");

	refused("ASCBELL_ALLOW=$NET\n", "line 1: ASCBELL_ALLOW's value needs a shell", "$VAR refused");
	refused("ASCBELL_ALLOW=\"${NET}\"\n", "needs a shell", "${VAR} in double quotes refused");
	refused("ASCBELL_ALLOW=`cat f`\n", "needs a shell", "backquotes refused");
	refused("ASCBELL_ALLOW=$(cat f)\n", "needs a shell", "$(...) refused");
	refused("ASCBELL_APPS_DIR=~/apps\n", "ASCBELL_APPS_DIR's value needs a shell", "a tilde refused");
	refused("ASCBELL_ALLOW=a;b\n", "needs a shell", "a ; refused");
	refused("# ok\n. /etc/other\n", "line 2: not a NAME=VALUE line", "a command refused");
	refused("ASCBELL_ALLOW = 1.2.3.4\n", "line 1: not a NAME=VALUE line", "blanks around = refused");
	refused("ASCBELL_ALLOW='17.0.0.0/8\n10.0.0.0/8'\n", "line 1: a quote is not closed", "a quote over two lines refused");
	refused("ASCBELL_ALLOW=a \\\n", "more than one word", "a lone backslash word refused");
	refused("ASCBELL_ALLOW=a\\\n", "continued on the next line", "a line continuation refused");
	refused("ASCBELL_ALLOW=1.2.3.4 10.0.0.0/8\n", "more than one word", "two words refused");
	refused("OTHER='open\n", "a quote is not closed", "an open quote refused whatever the name");

	unlink(path);
	TAP_CHECK(envfile_read(path, wanted, &env, err, sizeof err) == 0 && env.count == 0,
		  "a file that does not exist is an empty configuration");
	TAP_CHECK(envfile_read("/", wanted, &env, err, sizeof err) == -1 &&
			  strstr(err, "cannot read /: not a regular file"),
		  "a directory is refused");
	return tap_done();
}
