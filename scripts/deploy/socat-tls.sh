#!/bin/sh
# The receiver on https, socat doing the TLS: App Store Connect can post to it directly.
# cert.pem holds the certificate chain (e.g. from certbot), key.pem its key.
set -a
. /etc/ascbell/env
set +a
exec socat -t 15 OPENSSL-LISTEN:443,reuseaddr,fork,cert=/etc/ascbell/cert.pem,key=/etc/ascbell/key.pem,verify=0 \
	EXEC:"/usr/local/bin/asc-http --spool /var/lib/ascbell/spool -- /usr/local/bin/asc-receiver"
