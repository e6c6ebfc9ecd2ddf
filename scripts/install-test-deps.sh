#!/usr/bin/env bash
# The Debian packages the tests need, installed when missing:
#   golang-go  -> `go tool pprof`, the independent reader of every profile the tests produce
#   chromium   -> the headless browser that opens the HTML report
#   openssl    -> makes the self-signed certificate of the https agent test
exec bash "$(dirname "$0")/apt-install-missing.sh" "dd-run tests" go=golang-go /usr/bin/chromium=chromium openssl=openssl
