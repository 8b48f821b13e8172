/* notification: the notification types Echobell accepts in a message. Its documentation
 * (Direct triggers): "accepts title, body, externalLink and notificationType (active,
 * time-sensitive (default), calling)". Anything else is not sent: asc-render and
 * echobell-send warn and leave it out. */
#ifndef ASCBELL_NOTIFICATION_H
#define ASCBELL_NOTIFICATION_H

#include <stddef.h>

/* "active, time-sensitive or calling", for messages. */
#define NOTIFICATION_TYPES_TEXT "active, time-sensitive or calling"

/* Whether the len bytes at s are exactly one of Echobell's types. */
int notification_type_valid(const char *s, size_t len);

/* A value that was refused, for a warning: JSON-quoted (so control characters show
 * escaped) and cut to fit out. */
void notification_type_quote(const char *s, size_t len, char *out, size_t size);

#endif
