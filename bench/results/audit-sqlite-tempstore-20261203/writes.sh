#!/bin/bash
# What one SQLite server writes per request: writes.sh NAME [SQL] [SECONDS]
#
# Starts BIN (default target/release/playgate) on a fresh data dir /tmp/writes-NAME (the
# demo game's credentials are read from its first start), applies SQL to the database if
# given (a schema variant, e.g. the `free` trigger of this folder's README), warms up WARM
# seconds (default 3), drives SECONDS (default 10) of bench/lua/$LUA.lua (default s2s_new;
# s2s_existing draws from 10,000 user ids, most created by the warm-up: use WARM=6) with
# wrk at 64 connections, and prints req/s, bytes written by the process per request (wchar
# of /proc/<pid>/io: WAL, checkpoints and any temporary file) and CPU per 1,000 requests
# (process and writer thread, in 10 ms ticks). EXTRA adds flags to `playgate serve`.
set -u
NAME=$1; SQL=${2:-}; DUR=${3:-10}
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
BIN=${BIN:-$REPO/target/release/playgate}; LUA=${LUA:-s2s_new}; EXTRA=${EXTRA:-}
D=/tmp/writes-$NAME; rm -rf "$D"; mkdir -p "$D"; cd "$D" || exit 1
export PLAYGATE_CREATE_DEMO_GAME=true
$BIN serve $EXTRA --listen 127.0.0.1:18181 > serve.log 2>&1 &
P=$!; sleep 2
CID=$(grep "client id:" serve.log | awk '{print $3}'); SEC=$(grep "client secret:" serve.log | awk '{print $3}')
kill $P; wait $P 2>/dev/null
[ -n "$SQL" ] && sqlite3 playgate-data/playgate.db "$SQL"
$BIN serve $EXTRA --listen 127.0.0.1:18181 >> serve.log 2>&1 &
P=$!; sleep 1.5
cat "$REPO/bench/lua/common.lua" "$REPO/bench/lua/$LUA.lua" > s.lua
args=(client_id=$CID client_secret=$SEC nthreads=2 users=10000)
wrk -t2 -c64 -d${WARM:-3}s -s s.lua http://127.0.0.1:18181 -- "${args[@]}" seed=1 prefix=w >/dev/null 2>&1
prefix=w; [ "$LUA" = s2s_new ] && prefix=m$RANDOM
WT=$(dirname "$(grep -l playgate-sqlite /proc/$P/task/*/comm | head -1)")
T0=$(awk '{print $14+$15}' "$WT/stat"); W0=$(awk '/^wchar/{print $2}' /proc/$P/io); C0=$(awk '{print $14+$15}' /proc/$P/stat)
wrk -t2 -c64 -d${DUR}s -s s.lua http://127.0.0.1:18181 -- "${args[@]}" seed=2 prefix=$prefix > wrk.out 2>&1
T1=$(awk '{print $14+$15}' "$WT/stat"); W1=$(awk '/^wchar/{print $2}' /proc/$P/io); C1=$(awk '{print $14+$15}' /proc/$P/stat)
REQ=$(grep -oE "^ *[0-9]+ requests" wrk.out | awk '{print $1}')
RPS=$(grep Requests/sec wrk.out | awk '{print $2}')
echo "$NAME rps=$RPS req=$REQ bytes/req=$(( (W1-W0)/REQ )) cpu_ticks/1k=$(( (C1-C0)*1000/REQ )) writer_ticks/1k=$(( (T1-T0)*1000/REQ ))"
kill $P; wait $P 2>/dev/null
