/* jsnum: numbers as JavaScript writes and reads them, because Echobell's templates are
 * JavaScript-flavoured: 1 not 1.0, 1.5, 1e+21, 0.30000000000000004, NaN, Infinity. */
#ifndef ASCBELL_JSNUM_H
#define ASCBELL_JSNUM_H

#include <stddef.h>

#define JS_NUMBER_SIZE 48

/* Number::toString: the shortest digits that read back as d, in JavaScript's layout. */
void js_number_format(double d, char out[JS_NUMBER_SIZE]);

/* ToNumber of a string: blanks around are ignored, "" is 0, anything not a whole decimal
 * number (or Infinity) is NaN. */
double js_string_to_number(const char *s, size_t len);

#endif
