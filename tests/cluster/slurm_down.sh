#!/usr/bin/env bash
# Stops the private Slurm of slurm_up.sh DIR: each daemon by the pid it wrote, nothing else, and
# waits (up to 5 s, then SIGKILL) so that no daemon outlives the test.
dir=$1
for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
done
exit 0
