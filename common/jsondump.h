/* jsondump: a jv value as compact JSON, byte for byte what libjq's jv_dump_string(v, 0)
 * writes, at a fraction of its cost: libjq 1.6 appends to its string one character at a
 * time, which made the serialisation of a notification a third of the receiver's
 * instructions. Numbers alone go through libjq (its shortest-form printer). */
#ifndef ASCBELL_JSONDUMP_H
#define ASCBELL_JSONDUMP_H

#include <jv.h>

#include "buf.h"

/* Appends v (borrowed) to out. */
void json_dump(jv v, struct buf *out);

#endif
