/* spool: Maildir-like directories of whole files (tmp/ new/ cur/ failed/), used for the
 * messages echobell-send keeps and for the outbox its delivery agent empties.
 *
 * A file is written in tmp/, fsync'd, then renamed into new/, so new/ only ever holds whole
 * files, and a crash at any moment leaves either nothing or a complete message. Names are
 * made here (time, pid, counter), never from data, and sort oldest first. */
#ifndef ASCBELL_SPOOL_H
#define ASCBELL_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define SPOOL_NAME_SIZE 128

/* Ownership (ascbell(7), "Files on disk"): the web server's user and the delivery agent
 * share these directories through a group (ascbell), the directories being setgid and
 * group-writable (2770). What is made or written in a group-writable directory is the
 * group's too (directories 2770, files 0660); anywhere else it stays private (0700,
 * 0600), whatever the umask. */

/* Creates the directory, every missing level above it (mkdir -p) and its tmp/ new/ cur/
 * failed/. Returns 0, or -1 with errno set and spool_why() naming the directory that could
 * not be made and the command that makes it. */
int spool_prepare(const char *dir);

/* Only the mkdir -p part of spool_prepare: dir and every missing level above it, with the
 * modes above. Same return as spool_prepare. */
int spool_make_dirs(const char *dir);

/* The mode for a file made in dir: 0660 when dir is group-writable, else 0600. */
mode_t spool_file_mode(const char *dir);

/* Writes a new message and returns its name. The file must be readable by the owner of dir
 * or by its group (the agent runs as one of them): when it would not be, it is removed
 * and the call fails with EACCES, before anything lands in new/. Returns 0, or -1 with
 * errno set, spool_why() saying what, and nothing left behind in tmp/. */
int spool_add(const char *dir, const void *data, size_t len, char name[SPOOL_NAME_SIZE]);

/* spool_add for a message held until not_before (epoch seconds; 0: not held): it lands
 * in new/ as NAME,t=WHEN, which the agent does not send before then (outbox.h). name is
 * the NAME part. */
int spool_add_held(const char *dir, const void *data, size_t len, long long not_before,
		   char name[SPOOL_NAME_SIZE]);

/* spool_add without its fsyncs: the file is whole in new/ for every process at once, and
 * durable when the filesystem next commits (or spool_sync). Only for a copy that is not
 * the only one a promise rests on: the built-in receiver's record of a request, whose
 * notification is made durable elsewhere before a 2xx answer (asc-http(1)). After a power
 * cut, such a file can be missing or empty. Same return as spool_add. */
int spool_add_unsynced(const char *dir, const void *data, size_t len, char name[SPOOL_NAME_SIZE]);

/* fsyncs dir/sub/name and dir/sub: what spool_add_unsynced wrote becomes durable. 0, or -1
 * with errno set. */
int spool_sync(const char *dir, const char *sub, const char *name);

/* The steps of spool_add, for writing several messages with one directory sync
 * (batch.h). Each returns 0 (spool_write_tmp: the open file), or -1 with errno set and
 * spool_why() saying what. */

/* Writes a message into dir/tmp under a new name, with spool_add's mode and readability
 * check, not yet synced. Returns its open descriptor; on failure nothing is left. */
int spool_write_tmp(const char *dir, const void *data, size_t len, char name[SPOOL_NAME_SIZE]);

/* fsyncs and closes the file spool_write_tmp returned (closed even on failure). */
int spool_sync_file(const char *dir, const char *name, int fd);

/* Renames dir/tmp/name into dir/new: the agent may take it from then on, but it is
 * durable only after spool_sync_new. */
int spool_publish(const char *dir, const char *name);

/* spool_publish into new/NAME,t=WHEN when not_before is not 0 (spool_add_held). */
int spool_publish_held(const char *dir, const char *name, long long not_before);

/* fsyncs dir/new: every message renamed into it before is durable. */
int spool_sync_new(const char *dir);

/* Removes dir/tmp/name, whatever became of it; errno is kept. */
void spool_discard_tmp(const char *dir, const char *name);

/* Why the last spool_prepare, spool_add or step of it failed, in words for a message. */
const char *spool_why(void);

/* The names in dir/sub, sorted oldest first by their time part; *count set. The caller
 * frees each name and the array. Names starting with "." are skipped. */
char **spool_list(const char *dir, const char *sub, size_t *count);
void spool_list_free(char **names, size_t count);

/* Reads dir/sub/name (at most max bytes). Returns 0, or -1 with errno set (EFBIG when
 * larger). */
int spool_read(const char *dir, const char *sub, const char *name, struct buf *out, size_t max);

/* Renames dir/from_sub/from to dir/to_sub/to and makes that durable. -1 with errno set
 * (ENOENT when another process took it first). */
int spool_move(const char *dir, const char *from_sub, const char *from, const char *to_sub,
	       const char *to);

/* spool_move and spool_remove without the directory's sync: durable at the filesystem's
 * next commit. For the files of spool_add_unsynced. */
int spool_rename(const char *dir, const char *from_sub, const char *from, const char *to_sub,
		 const char *to);
int spool_unlink(const char *dir, const char *sub, const char *name);

/* Removes dir/sub/name, durably. */
int spool_remove(const char *dir, const char *sub, const char *name);

/* Writes failed/NAME.reason beside a failed message: why it gave up, one line. */
int spool_write_reason(const char *dir, const char *name, const char *reason);

#endif
