#!/bin/sh
# The receiver on plain HTTP, for a TLS terminator (nginx, caddy) on the same host to proxy
# to. App Store Connect itself only posts to https URLs.
set -a
. /etc/ascbell/env
set +a
exec socat -t 15 TCP-LISTEN:8080,bind=127.0.0.1,reuseaddr,fork \
	EXEC:"/usr/local/bin/asc-http --trust-proxy 127.0.0.1 --spool /var/lib/ascbell/spool -- /usr/local/bin/asc-receiver"
