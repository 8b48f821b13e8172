/* templates: sets of Title, Body, Link templates and conditions, keyed by how specific
 * they are (data.type, subscription name, category, "default"), and rendering an event
 * with them. Three layers are searched in turn: the command line's overrides, the file,
 * the built-in defaults; within a layer the most specific key that has the field wins. */
#ifndef ASCBELL_TEMPLATES_H
#define ASCBELL_TEMPLATES_H

#include <jv.h>

#include "tmpl.h"

enum template_field {
	FIELD_TITLE,
	FIELD_BODY,
	FIELD_LINK,
	FIELD_TYPE, /* notificationType */
	FIELD_CONDITION,
	FIELD_COUNT
};

/* The fields a rendering produces: all but the condition. */
#define RENDERED_FIELDS FIELD_CONDITION

/* "title", "body", "externalLink", "notificationType", "condition": the names in files and
 * in the output. */
extern const char *const template_field_names[FIELD_COUNT];

struct template_entry {
	char *key;
	char *source[FIELD_COUNT];
	struct tmpl *compiled[FIELD_COUNT];
	int warned[FIELD_COUNT]; /* one warning per template, not one per event */
};

struct template_set {
	const char *origin; /* for messages: a file name, "the command line", "built-in" */
	struct template_entry *entries;
	size_t count;
};

#define TEMPLATE_LAYERS 3

struct renderer {
	struct template_set layers[TEMPLATE_LAYERS]; /* overrides, file, defaults */
	int needs_time;                               /* some template names a time variable */
	struct tmpl *event_link; /* {{externalLink}}: the event's own link, when no Link
				  * template of the user's applies */
	jv request;              /* the request's variables (reqvars.h), or null */
};

/* The key that overrides match every event with. */
#define TEMPLATE_ANY_KEY "*"

void renderer_init(struct renderer *r);
void renderer_free(struct renderer *r);

/* Adds one template; a syntax error is printed with a caret and exits EX_USAGE. */
void renderer_add(struct renderer *r, int layer, const char *key, enum template_field field,
		  const char *source, size_t len);

/* Loads a template set file into layer 1; exits with EX_NOINPUT or EX_USAGE on failure. */
void renderer_load_file(struct renderer *r, const char *path);

/* Loads the built-in defaults into layer 2. */
void renderer_load_defaults(struct renderer *r);

enum render_result { RENDER_KEEP, RENDER_DROP };

/* The request's own variables (header, bodyAsText, the payload's top-level keys), looked up
 * after the event's fields and before Echobell's time variables; consumed. */
void renderer_set_request(struct renderer *r, jv request);

/* Renders title, body, externalLink and notificationType for event (borrowed) into
 * fields[0..RENDERED_FIELDS-1] (owned by the caller), or says the event's condition dropped
 * it. fields[FIELD_TYPE] is a string only when the message has a notificationType that
 * Echobell allows, else null. */
enum render_result renderer_render(struct renderer *r, jv event, jv fields[RENDERED_FIELDS]);

/* out (consumed: the event, or an empty object) with the rendered fields (consumed) set,
 * and a null one removed: the message echobell-send takes. */
jv rendered_message(jv out, jv fields[RENDERED_FIELDS]);

/* The built-in defaults, for renderer_load_defaults and the man page. */
struct default_template {
	const char *key, *title, *body, *link;
};
extern const struct default_template default_templates[];
extern const size_t default_template_count;

#endif
