# Users for the tests of file ownership (root only): $AGENT, a user and group standing in for
# ascbell (the delivery agent, the owner of the shared directories), and www-data, the web
# server's user, as on Debian. Made by setup_file when absent, removed by teardown_file.

# Makes user and group $1 (the file's own name: test files may run side by side).
make_agent() {
	AGENT=$1
	export AGENT
	# Another process may hold the lock on /etc/passwd for a moment: try again, a few times.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		{ getent group "$AGENT" >/dev/null || groupadd --system "$AGENT"; } &&
			{ id -u "$AGENT" >/dev/null 2>&1 ||
				useradd --system -g "$AGENT" -M -d /nonexistent -s /usr/sbin/nologin "$AGENT"; } &&
			return 0
		sleep 0.5
	done
	return 1
}

remove_agent() {
	local _
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		{ ! id -u "$AGENT" >/dev/null 2>&1 || userdel "$AGENT"; } &&
			{ ! getent group "$AGENT" >/dev/null || groupdel "$AGENT"; } && return 0
		sleep 0.5
	done
	return 1
}

# Runs a command as user $1 with the groups /etc/group gives it, as a service manager does.
as_user() {
	as_user_argv "$1"
	shift
	"${AS_USER[@]}" "$@"
}

# The same as a command line in AS_USER, for wrappers that need a program (timeout).
as_user_argv() {
	AS_USER=(setpriv --reuid "$1" --regid "$(id -g "$1")" --init-groups --)
}

# Runs a command as www-data, in group $AGENT besides its own (as after usermod -aG).
as_web() {
	setpriv --reuid www-data --regid www-data --groups "$(getent group "$AGENT" | cut -d: -f3)" -- "$@"
}

# Lets other users pass through $1 and every directory above it (bats makes its temporary
# directories 0700); only execute permission, nothing can be listed or written.
let_through() {
	local dir=$1
	while [ "$dir" != / ] && [ -n "$dir" ]; do
		[ "$(stat -c %U "$dir")" = root ] && [ -z "$(find "$dir" -maxdepth 0 -perm -o+x)" ] && chmod o+x "$dir"
		dir=$(dirname "$dir")
	done
}

# "mode owner group" of a path, as stat prints them.
owned() {
	stat -c '%a %U %G' "$1"
}
