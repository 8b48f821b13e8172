# A systemd machine for tests: Debian's systemd booted as PID 1 of its own namespaces over an
# overlay of / (helpers/systemd-container), with a fake Echobell on the machine's loopback.
# Used by deploy-systemd.bats and deb/deb.bats.

in_machine() { nsenter -t "$MACHINE_PID" -a "$@"; }
in_net() { nsenter -t "$MACHINE_PID" -n "$@"; }

# start_machine DIR LIFETIME FAKE_DIR PATH...: boots the machine (state in DIR, stopped by
# itself after LIFETIME seconds; each PATH read-only inside), then the fake Echobell (its
# files in FAKE_DIR). Sets and exports MACHINE_PID, MACHINE_HELPER, FAKE_PID, FAKE_DIR.
start_machine() {
	local dir=$1 lifetime=$2 fake=$3 helpers
	shift 3
	helpers=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	mkdir -p "$dir" "$fake"
	"$helpers/systemd-container" "$dir" "$lifetime" "$@" 3>&- &
	export MACHINE_HELPER=$!
	for _ in $(seq 300); do
		[ -s "$dir/pid" ] && break
		sleep 0.1
	done
	export MACHINE_PID=$(cat "$dir/pid")
	[ -n "$MACHINE_PID" ] || { echo "systemd did not boot in its namespace" >&2; return 1; }
	export FAKE_DIR=$fake
	nsenter -t "$MACHINE_PID" -n "$helpers/fake-echobell" "$FAKE_DIR" --lifetime "$lifetime" 3>&- &
	export FAKE_PID=$!
	for _ in $(seq 100); do
		[ -s "$FAKE_DIR/port" ] && break
		sleep 0.05
	done
}

# What poweroff sends; the lifetime's SIGKILL is there for a machine that will not stop.
stop_machine() {
	[ -n "${MACHINE_PID:-}" ] || return 0
	kill -s RTMIN+4 "$MACHINE_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$MACHINE_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$MACHINE_PID" 2>/dev/null || true
	# The helper removes the machine's cgroups once it is gone.
	for _ in $(seq 100); do
		kill -0 "$MACHINE_HELPER" 2>/dev/null || break
		sleep 0.1
	done
	kill "$FAKE_PID" 2>/dev/null || true
	wait "$FAKE_PID" 2>/dev/null || true
}
