/* localtime: an instant as the team reads a calendar ("Tue 3 Mar 10:41 CET"), in the zone
 * named by $ASCBELL_TZ (an IANA name such as Europe/Berlin; UTC when unset). Only the
 * event's eventDate uses it: Echobell's own time variables stay UTC (timevars.h). */
#ifndef ASCBELL_LOCALTIME_H
#define ASCBELL_LOCALTIME_H

#include <jv.h>
#include <time.h>

/* Reads $ASCBELL_TZ once and makes it the zone of this process. 0 when it is unset, empty
 * or a zone this machine knows; -1 otherwise (a name that is not a zone, or whose file is
 * missing: glibc would silently use UTC under the zone's name, a wrong hour on every
 * notification). */
int localtime_init(void);

/* Whether name is a zone this machine knows, by the rule localtime_init applies to
 * $ASCBELL_TZ ("UTC" always is); zone_name_ok: whether it is at least spelled as one
 * (ASCII letters, digits, _+-/, no "..": safe to print and to look up). */
int zone_known(const char *name);
int zone_name_ok(const char *name);

/* The zone in use, for messages: "UTC" or $ASCBELL_TZ. */
const char *localtime_zone(void);

/* "Tue 3 Mar 10:41 CET": weekday, day, month, 24-hour time and the zone's abbreviation
 * (or its offset, "-03", where the zone has no letters), in English whatever the locale. */
jv instant_format(time_t t);

#endif
