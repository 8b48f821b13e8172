# The part socat-plain.sh and socat-tls.sh share: they set $listen (socat's listening
# address) and $serve (the command for each connection), then read this file from their
# own directory. Not a program of its own.
#
# Run as root, socat serves each connection as the user ascbell (su=), and the delivery
# agent runs as ascbell too. asc-http (one per connection, its built-in receiver) reads
# /etc/ascbell/env for each delivery: a change there holds from the next one on, without a
# restart (the agent reads it when it starts).
# Queued mode (ASCBELL_OUTBOX in /etc/ascbell/env): the delivery agent that empties the
# outbox runs beside socat, the same command as ascbell-deliver.service (run one or the
# other), and the two stop together.
ASCBELL_ENV=/etc/ascbell/env
export ASCBELL_ENV
user=ascbell
# No core files: socat-tls.sh's listener holds the TLS key, the receiver the secrets (the
# programs also make themselves non-dumpable).
ulimit -c 0

drop=
if [ "$(id -u)" = 0 ]; then
	listen="$listen,su=$user"
	drop="setpriv --reuid=$user --regid=$(id -g "$user") --init-groups --"
fi

outbox=$( [ -r "$ASCBELL_ENV" ] && . "$ASCBELL_ENV" >/dev/null 2>&1; printf %s "${ASCBELL_OUTBOX:-}")
[ -n "$outbox" ] || exec socat -t 15 "$listen" EXEC:"$serve"

stop() {
	trap '' TERM INT
	kill $pids 2>/dev/null
	wait
	exit "$1"
}
trap 'stop 143' TERM
trap 'stop 130' INT
(
	trap 'kill $agent 2>/dev/null' TERM
	set -a
	. "$ASCBELL_ENV"
	set +a
	$drop /usr/local/bin/echobell-send --watch "$outbox" &
	agent=$!
	wait $agent
	wait $agent
	echo "${0##*/}: the delivery agent stopped: stopping the receiver" >&2
	kill -TERM $$ 2>/dev/null
) &
pids=$!
socat -t 15 "$listen" EXEC:"$serve" &
pids="$pids $!"
wait $!
stop $?
