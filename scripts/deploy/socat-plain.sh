#!/bin/sh
# The receiver on plain HTTP, for a TLS terminator (nginx, caddy) on the same host to proxy
# to. App Store Connect itself only posts to https URLs.
#
# Run it as root (it then serves as the user ascbell: socat's su=) or as ascbell itself,
# from a service manager that restarts it. The rest, queued mode included, is
# socat-common.sh, which must sit beside this file.
set -u

# backlog: socat's default of 5 drops the SYNs of a burst of deliveries, which then wait a
# second for the retry. max-children: at most 64 deliveries served at once (the default
# --max-connections of ascbell.service's asc-http, which answers one more 503 itself);
# socat then stops accepting, so more wait in the backlog (and are served as others end)
# instead of starting more processes: socat has no way to answer them 503. -t 15: the answer of a slow handler still gets through after the
# client has closed its side.
listen="TCP-LISTEN:8080,bind=127.0.0.1,reuseaddr,fork,backlog=128,max-children=64"
serve="/usr/local/bin/asc-http --trust-proxy 127.0.0.1 --spool /var/lib/ascbell/spool"
. "$(dirname "$0")/socat-common.sh"
