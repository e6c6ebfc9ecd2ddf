#!/usr/bin/env bash
# The Debian packages the benchmarks need, installed when missing:
#   wrk         -> the HTTP load generator of the http workload
#   util-linux  -> taskset, to pin the server and the load generator to different cores
exec bash "$(dirname "$0")/../scripts/apt-install-missing.sh" "dd-run bench" wrk=wrk taskset=util-linux
