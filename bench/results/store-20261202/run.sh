#!/usr/bin/env bash
# A/B of the old (602cede, before issue 11) and new release binaries, alternating.
set -u
cd /work/main
OUT=/work/main/bench/results/store-20261202
mkdir -p $OUT
SC=s2s-new,s2s-existing,s2s-refresh,s2s-verify,i3d-user,gf-read
for round in 1 2; do
  for v in old new; do
    CARGO_TARGET_DIR=/work/tgt/ab-$v bench/run --skip-build --duration 8 --warmup 2 --existing-users 2000 \
      --scenarios $SC --results-dir /tmp/abres/sqlite-$v-$round > /tmp/abres-sqlite-$v-$round.log 2>&1
    cp /tmp/abres/sqlite-$v-$round/sqlite-latest.md $OUT/sqlite-$v-$round.md 2>/dev/null
    CARGO_TARGET_DIR=/work/tgt/ab-$v bench/run --skip-build --duration 8 --warmup 2 --existing-users 2000 \
      --database-url postgres://postgres@127.0.0.1:5432/test \
      --scenarios $SC --results-dir /tmp/abres/pg-$v-$round > /tmp/abres-pg-$v-$round.log 2>&1
    cp /tmp/abres/pg-$v-$round/postgres-latest.md $OUT/postgres-$v-$round.md 2>/dev/null
  done
done
echo ALLDONE
