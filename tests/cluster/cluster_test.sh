#!/usr/bin/env bash
# A small Monte Carlo study run as one process and by a cluster launcher, byte for byte the same.
# Usage: cluster_test.sh CSIPLS SOURCE_DIR WORK_DIR mpirun|slurm
#   mpirun: Open MPI's `mpirun -n 2` (ranks from OMPI_COMM_WORLD_RANK/SIZE), then `csipls merge`;
#   slurm:  a job array of 3 tasks on a private single-node Slurm started here (slurm_up.sh), merged.
# Exits 77 (skipped) with the reason when the launcher is not installed or Slurm cannot start.
set -euo pipefail
csipls=$1 source_dir=$2 work=$3 launcher=$4
here="$source_dir/tests/cluster"
rm -rf "$work" && mkdir -p "$work"
cd "$work"
cat > pop.model <<'MODEL'
A =~ 0.7*a1 + 0.7*a2 + 0.7*a3
B =~ 0.7*b1 + 0.7*b2 + 0.7*b3
C =~ 0.7*c1 + 0.7*c2 + 0.7*c3
B ~ 0.5*A
C ~ 0.3*A + 0.4*B
MODEL
cat > study.toml <<'DESIGN'
[population]
model = "pop.model"
[factors]
n = [60, 120]
estimator = ["pls", "plsc"]
[run]
replications = 30
bootstrap = 10
seed = 3
block_size = 5
DESIGN
"$csipls" montecarlo --design study.toml --out whole --threads 1

same_as_whole() {
  "$csipls" merge "$1"
  for file in summary.csv conditions.csv summary.json; do
    cmp "whole/$file" "$1/$file" || { echo "FAIL: $1/$file differs from the one-process run" >&2; exit 1; }
  done
  echo "$1: the same bytes as the one-process run"
}

case $launcher in
mpirun)
  command -v mpirun >/dev/null || { echo "SKIP: mpirun not installed (Debian openmpi-bin)" >&2; exit 77; }
  as_root=()
  [ "$(id -u)" -eq 0 ] && as_root=(--allow-run-as-root)
  mpirun "${as_root[@]}" --oversubscribe -n 2 "$csipls" montecarlo --design study.toml --out mpi --threads 1
  [ -f mpi/parts/part-0-of-2.mcpart ] && [ -f mpi/parts/part-1-of-2.mcpart ] || { echo "FAIL: mpirun did not give 2 parts" >&2; exit 1; }
  same_as_whole mpi
  ;;
slurm)
  slurm_dir="$work/slurm-daemons"
  trap 'bash "$here/slurm_down.sh" "$slurm_dir"' EXIT
  bash "$here/slurm_up.sh" "$slurm_dir" || exit $?
  export SLURM_CONF="$slurm_dir/slurm.conf"
  job=$(sbatch --parsable --array=0-2 --cpus-per-task=1 -o "$work/task-%a.log" \
    --wrap "'$csipls' montecarlo --design '$work/study.toml' --out '$work/slurm' --threads 1")
  # Poll briefly rather than `sbatch --wait`, whose polling interval grows to 10 s.
  for _ in $(seq 1 600); do
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
    sleep 0.1
  done
  cat "$work"/task-*.log
  for i in 0 1 2; do
    [ -f "slurm/parts/part-$i-of-3.mcpart" ] || { echo "FAIL: array task $i left no part" >&2; exit 1; }
  done
  same_as_whole slurm
  ;;
*) echo "unknown launcher '$launcher'" >&2; exit 2 ;;
esac
