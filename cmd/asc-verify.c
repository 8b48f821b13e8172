/* asc-verify: pass an App Store Connect webhook body through only when its
 * x-apple-signature is an HMAC-SHA256 of it under one of the webhook secrets. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "secrets.h"
#include "signature.h"
#include "util.h"

struct options {
	char **secret_files;
	size_t secret_file_count;
	const char *signature; /* -s, else $HTTP_X_APPLE_SIGNATURE */
	int http;
	int sign;
	size_t max_body;
};

/* One input's body, and the signature header that came with it (if it was a request). */
struct input {
	const char *label; /* "FILE: " in messages, or "" for stdin alone */
	struct buf raw;
	struct http_request request;
	const char *body;
	size_t body_len;
	const char *header_signature;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [-k SECRET_FILE]... [-s SIGNATURE] [--http] [--max-body N] [FILE...]\n"
		"       %s --sign [-k SECRET_FILE]... [--http] [FILE...]\n"
		"\n"
		"Writes each body whose x-apple-signature matches one of the webhook secrets.\n"
		"\n"
		"  -k, --secret-file FILE  secrets, one per line (repeatable; also\n"
		"                          $ASC_WEBHOOK_SECRET_FILE and $ASC_WEBHOOK_SECRET)\n"
		"  -s, --signature VALUE   hmacsha256=<hex> (default $HTTP_X_APPLE_SIGNATURE,\n"
		"                          then the request's own header with --http)\n"
		"      --http              inputs are whole saved HTTP requests\n"
		"      --max-body N        largest body in bytes, K/M/G suffixes (default 1M)\n"
		"      --sign              print the signature of each body with the first secret\n"
		"  -q, --quiet             no warnings\n"
		"  -v, --verbose           say what was verified\n"
		"  -h, --help              this text\n"
		"  -V, --version           the version\n"
		"\n"
		"Exit: 0 verified, 77 no, malformed or wrong signature, 65 bad input,\n"
		"66 input not found, 78 no secret.\n",
		progname, progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_HTTP = 256, OPT_MAX_BODY, OPT_SIGN };
	static const struct option longopts[] = {
		{"secret-file", required_argument, NULL, 'k'},
		{"signature", required_argument, NULL, 's'},
		{"http", no_argument, NULL, OPT_HTTP},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		{"sign", no_argument, NULL, OPT_SIGN},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.max_body = HTTP_DEFAULT_MAX_BODY};
	int c;

	opt.secret_files = xmalloc((size_t)argc * sizeof *opt.secret_files);
	while ((c = getopt_long(argc, argv, "k:s:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': opt.secret_files[opt.secret_file_count++] = optarg; break;
		case 's': opt.signature = optarg; break;
		case OPT_HTTP: opt.http = 1; break;
		case OPT_SIGN: opt.sign = 1; break;
		case OPT_MAX_BODY: opt.max_body = parse_max_body(optarg); break;
		default: standard_option(c, usage);
		}
	}
	if (!opt.signature) {
		const char *env = getenv("HTTP_X_APPLE_SIGNATURE");
		if (env && *env)
			opt.signature = env;
	}
	return opt;
}

static int read_raw_body(struct input *in, int fd, size_t max_body)
{
	FILE *f = fdopen(fd, "rb");
	enum read_result result;

	if (!f) {
		msg_error("%scannot read: %s", in->label, strerror(errno));
		return EX_IOERR;
	}
	result = buf_read_all(&in->raw, f, max_body);
	fclose(f);
	if (result == READ_TOO_LARGE) {
		msg_error("%sbody larger than --max-body (%zu bytes)", in->label, max_body);
		return EX_DATAERR;
	}
	if (result == READ_ERROR) {
		msg_error("%scannot read: %s", in->label, strerror(errno));
		return EX_IOERR;
	}
	in->body = in->raw.data ? in->raw.data : "";
	in->body_len = in->raw.len;
	return 0;
}

static int read_request(struct input *in, int fd, size_t max_body)
{
	const struct http_limits limits = {HTTP_DEFAULT_MAX_HEADER_BYTES,
					   HTTP_DEFAULT_MAX_HEADERS, max_body};
	enum http_state state;

	http_request_init(&in->request, &limits);
	state = http_request_read(&in->request, fd);
	close(fd);
	if (state == HTTP_ERR_BODY_TOO_LARGE) {
		msg_error("%sbody larger than --max-body (%zu bytes)", in->label, max_body);
		return EX_DATAERR;
	}
	if (state != HTTP_DONE) {
		msg_error("%snot a whole HTTP request: %s", in->label, http_state_text(&in->request));
		return EX_DATAERR;
	}
	in->body = in->request.body.data ? in->request.body.data : "";
	in->body_len = in->request.body.len;
	in->header_signature = http_request_header(&in->request, "x-apple-signature");
	return 0;
}

/* Opens and reads one input ("-" is stdin). Returns 0 or an exit status. */
static int read_input(struct input *in, const char *path, const struct options *opt)
{
	int fd = STDIN_FILENO;

	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			msg_error("cannot open %s: %s", path, strerror(errno));
			return EX_NOINPUT;
		}
	}
	return opt->http ? read_request(in, fd, opt->max_body) : read_raw_body(in, fd, opt->max_body);
}

static void free_input(struct input *in)
{
	buf_free(&in->raw);
	http_request_free(&in->request);
}

static int write_body(const struct input *in, int several)
{
	fwrite(in->body, 1, in->body_len, stdout);
	/* Several bodies in a row stay apart, one per line. */
	if (several && (in->body_len == 0 || in->body[in->body_len - 1] != '\n'))
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

static int verify(const struct input *in, const struct options *opt,
		  const struct secrets *secrets, int several)
{
	const char *header = opt->signature ? opt->signature : in->header_signature;
	int status = signature_verdict(signature_check(header, secrets, in->body, in->body_len),
				       in->label, in->body_len,
				       "give -s, set HTTP_X_APPLE_SIGNATURE, or use --http with an "
				       "x-apple-signature header");

	return status ? status : write_body(in, several);
}

static int sign(const struct input *in, const struct secrets *secrets)
{
	char text[SIGNATURE_TEXT_SIZE];

	/* The first secret is the one to sign with: list the newest first. */
	if (signature_make(&secrets->list[0], in->body, in->body_len, text) != 0) {
		msg_error("cannot compute the HMAC");
		return EX_SOFTWARE;
	}
	printf("%s\n", text);
	return 0;
}

int main(int argc, char **argv)
{
	static char *const stdin_only[] = {"-"};
	struct secrets secrets = SECRETS_INIT;
	struct options opt;
	char *const *paths;
	size_t count, i;
	int status = 0;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	secrets_load(&secrets, opt.secret_files, opt.secret_file_count);

	paths = optind < argc ? argv + optind : stdin_only;
	count = optind < argc ? (size_t)(argc - optind) : 1;
	for (i = 0; i < count; i++) {
		struct input in = {.label = ""};
		char label[4096];
		int result;

		if (count > 1 || strcmp(paths[i], "-") != 0) {
			snprintf(label, sizeof label, "%s: ", paths[i]);
			in.label = label;
		}
		result = read_input(&in, paths[i], &opt);
		if (result == 0)
			result = opt.sign ? sign(&in, &secrets) : verify(&in, &opt, &secrets, count > 1);
		status = worse_status(status, result);
		free_input(&in);
	}
	secrets_wipe(&secrets);
	free(opt.secret_files);
	return worse_status(status, finish_stdout());
}
