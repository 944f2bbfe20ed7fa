#!/bin/bash
# A Monte Carlo study as a Slurm job array: each array task runs one shard (csipls reads
# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT), all writing into the same shared directory;
# a dependent job merges the parts when every task has finished:
#   jobid=$(sbatch --parsable slurm_array.sh)
#   sbatch --dependency=afterok:$jobid --wrap "csipls merge results"
# A task that was preempted or timed out continues where it stopped (--resume reads its part).
#SBATCH --job-name=csipls-mc
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
#SBATCH --output=csipls-mc-%A_%a.log
set -euo pipefail
csipls montecarlo --design study.toml --out results --threads "${SLURM_CPUS_PER_TASK:-0}" --resume
