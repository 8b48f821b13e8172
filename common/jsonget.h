/* jsonget: reading fields of jv values that came from outside, where any member may be
 * missing or of another kind. Every function borrows its object and returns an owned
 * value, null when there is nothing of use: never an invalid jv, never an assertion. */
#ifndef ASCBELL_JSONGET_H
#define ASCBELL_JSONGET_H

#include <jv.h>

/* obj[key], or null when obj is no object or has no such key. */
jv json_get(jv obj, const char *key);

/* obj[key] when it is a string, else null. */
jv json_get_string(jv obj, const char *key);

/* obj.k1.k2... for the keys up to a NULL: null as soon as a step is missing. */
jv json_get_path(jv obj, ...);

#endif
