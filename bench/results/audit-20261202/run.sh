#!/usr/bin/env bash
# A/B of the binary before the hot-path audit events (main at ee23712, "old") and with them
# ("new"), alternating old/new per backend and round, in one run window.
# OLD_TARGET and NEW_TARGET are cargo target dirs holding release/playgate of each binary
# (build each checkout with `CARGO_TARGET_DIR=<dir> cargo build --release -p playgate-server`,
# the same profile for both).
set -u
cd "$(dirname "$0")/../../.."
OUT=bench/results/audit-20261202
mkdir -p $OUT
SC=${SC:-s2s-new,s2s-existing,s2s-refresh,gf-signin}
ROUNDS=${ROUNDS:-2}
: "${OLD_TARGET:?set OLD_TARGET to the target dir of the old binary}"
: "${NEW_TARGET:?set NEW_TARGET to the target dir of the new binary}"
declare -A TGT=([old]=$OLD_TARGET [new]=$NEW_TARGET)
for round in $(seq 1 $ROUNDS); do
  for v in old new; do
    CARGO_TARGET_DIR=${TGT[$v]} bench/run --skip-build --duration 8 --warmup 2 --existing-users 2000 \
      --scenarios $SC --results-dir /tmp/auditres/sqlite-$v-$round > /tmp/auditres-sqlite-$v-$round.log 2>&1
    cp /tmp/auditres/sqlite-$v-$round/sqlite-latest.md $OUT/sqlite-$v-$round.md 2>/dev/null
    CARGO_TARGET_DIR=${TGT[$v]} bench/run --skip-build --duration 8 --warmup 2 --existing-users 2000 \
      --database-url postgres://postgres@127.0.0.1:5432/test \
      --scenarios $SC --results-dir /tmp/auditres/pg-$v-$round > /tmp/auditres-pg-$v-$round.log 2>&1
    cp /tmp/auditres/pg-$v-$round/postgres-latest.md $OUT/postgres-$v-$round.md 2>/dev/null
  done
done
echo ALLDONE
