#!/bin/sh
# The receiver on https, socat doing the TLS: App Store Connect can post to it directly.
# cert.pem holds the certificate chain (e.g. from certbot), key.pem its key (read as root,
# before socat serves as ascbell).
#
# Run it as root (port 443; socat then serves each connection as the user ascbell: su=),
# from a service manager that restarts it. The rest, queued mode included, is
# socat-common.sh, which must sit beside this file.
set -u

# backlog, max-children, -t 15: as in socat-plain.sh (at most 64 connections at once; more
# wait in the backlog, socat cannot answer them 503).
listen="OPENSSL-LISTEN:443,reuseaddr,fork,backlog=128,max-children=64,cert=/etc/ascbell/cert.pem,key=/etc/ascbell/key.pem,verify=0"
serve="/usr/local/bin/asc-http --spool /var/lib/ascbell/spool"
. "$(dirname "$0")/socat-common.sh"
