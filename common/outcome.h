/* outcome: a handler's one word to asc-http about what it did ("queued", "kept"...), on the
 * descriptor named by $ASCBELL_OUTCOME_FD (asc-http(1), "WHAT THE HANDLER DID"). */
#ifndef ASCBELL_OUTCOME_H
#define ASCBELL_OUTCOME_H

/* Writes word and a newline to $ASCBELL_OUTCOME_FD; nothing when it is unset or not a
 * descriptor number. asc-http keeps the first line written, so the step that knows best
 * (echobell-send knows whether a message was sent or kept) tells it. */
void outcome_tell(const char *word);

#endif
