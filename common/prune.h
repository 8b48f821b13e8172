/* prune: removing what is older than a limit from the state directories, and nothing
 * else. Only regular files are removed (never a directory, a symbolic link or what it
 * points to), each by its name in a directory opened without following links. */
#ifndef ASCBELL_PRUNE_H
#define ASCBELL_PRUNE_H

struct prune {
	long long cutoff; /* epoch seconds: older than this goes */
	int dry_run;      /* list on stdout what would go, remove nothing */
	unsigned long removed, kept;
};

/* Files in dir whose mtime is before the cutoff; depth 1 also looks one level of
 * subdirectories down. A dedup marker a live claimant holds (flock) stays, whatever its
 * age. A missing directory has nothing to prune: 0. Returns 0 or EX_IOERR (said). */
int prune_by_mtime(struct prune *p, const char *dir, int depth, int markers);

/* History day files (YYYY-MM-DD.jsonl) whose whole day ended before the cutoff, judged by
 * the date in the name: touching a file does not keep it, and nothing else in the
 * directory is removed. */
int prune_history(struct prune *p, const char *dir);

#endif
