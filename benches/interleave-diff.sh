#!/usr/bin/env bash
# Interleaved process timings of two trayscope binaries: `diff --format json` on one home, alternating A and B so
# both see the same machine load. Prints the p50 and min of each. Used to compare two builds fairly:
#
#     benches/interleave-diff.sh OLD_BINARY NEW_BINARY HOME [RUNS]
#
# HOME must hold at least two complete snapshots (for example two corpus nights crawled with --from-dir).
set -euo pipefail
a=$1 b=$2 home=$3 runs=${4:-50}
for _ in $(seq "$runs"); do
  for bin in "$a" "$b"; do
    start=$(date +%s%N)
    "$bin" --home "$home" diff --format json > /dev/null
    end=$(date +%s%N)
    echo "$bin $(((end - start) / 1000))"
  done
done | python3 -c '
import sys, collections
times = collections.defaultdict(list)
for line in sys.stdin:
    name, micros = line.rsplit(" ", 1)
    times[name].append(int(micros) / 1000)
for name, t in times.items():
    t.sort()
    print(f"{name}: p50 {t[len(t) // 2]:.1f} ms, min {t[0]:.1f} ms ({len(t)} runs)")
'
