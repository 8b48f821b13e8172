#!/bin/sh
# The receiver on https, socat doing the TLS: App Store Connect can post to it directly.
# cert.pem holds the certificate chain (e.g. from certbot), key.pem its key (read as root,
# before socat serves as ascbell).
#
# Run it as root (port 443; socat then serves each connection as the user ascbell: su=),
# from a service manager that restarts it. asc-http and asc-receiver read /etc/ascbell/env
# for each delivery: a change there holds from the next one on, without a restart.
# Queued mode (ASCBELL_OUTBOX in /etc/ascbell/env): the delivery agent that empties the
# outbox runs beside socat, the same command as ascbell-deliver.service (run one or the
# other), and the two stop together.
set -u
ASCBELL_ENV=/etc/ascbell/env
export ASCBELL_ENV
user=ascbell

# backlog: socat's default of 5 drops the SYNs of a burst of deliveries, which then wait a
# second for the retry. -t 15: the answer of a slow handler still gets through after the
# client has closed its side.
listen="OPENSSL-LISTEN:443,reuseaddr,fork,backlog=128,cert=/etc/ascbell/cert.pem,key=/etc/ascbell/key.pem,verify=0"
serve="/usr/local/bin/asc-http --spool /var/lib/ascbell/spool -- /usr/local/bin/asc-receiver"
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
	echo "socat-tls.sh: the delivery agent stopped: stopping the receiver" >&2
	kill -TERM $$ 2>/dev/null
) &
pids=$!
socat -t 15 "$listen" EXEC:"$serve" &
pids="$pids $!"
wait $!
stop $?
