#!/usr/bin/env bash
# A/B of the binary before the hot-path audit events (main at ee23712, "old") and with them
# ("new"), alternating old/new per backend and round, in one run window.
set -u
cd /work/wt/h16-hot
OUT=/work/wt/h16-hot/bench/results/audit-20261202
mkdir -p $OUT
SC=${SC:-s2s-new,s2s-existing,s2s-refresh,gf-signin}
ROUNDS=${ROUNDS:-2}
declare -A TGT=([old]=/work/tgt/base [new]=/work/tgt/hotrel)
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
