#!/usr/bin/env bash
# Starts a private single-node Slurm (munged, slurmctld, slurmd) under DIR, all as the current
# user with its own sockets, ports and state, and waits until the node is idle.
# Usage: slurm_up.sh DIR; then SLURM_CONF=DIR/slurm.conf sbatch ...; slurm_down.sh DIR stops it.
# Exits 77 (ctest's skip) with the reason when a piece cannot start here.
set -u
dir=$1
mkdir -p "$dir"/{state,spool,munge,log}
skip() { echo "SKIP: $*" >&2; exit 77; }
for tool in munged mungekey slurmctld slurmd sbatch sinfo; do command -v "$tool" >/dev/null || skip "$tool not installed (Debian slurm-wlm, munge)"; done
user=$(id -un)
host=$(hostname -s)
port=$(( 20000 + RANDOM % 20000 ))

# munge with a key and socket of its own, so no system daemon is needed or disturbed.
mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null 2>&1 || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$dir/munge/munge.key"
chmod 700 "$dir/munge"
munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
       --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" --force 2>"$dir/log/munged.err" \
  || skip "munged cannot start: $(tail -1 "$dir/log/munged.err" "$dir/log/munged.log" 2>/dev/null | tr '\n' ' ')"

cat > "$dir/slurm.conf" <<CONF
ClusterName=csipls-test
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF" -i 2>"$dir/log/slurmctld.err" || skip "slurmctld cannot start: $(tail -2 "$dir/log/slurmctld.log" "$dir/log/slurmctld.err" 2>/dev/null | tr '\n' ' ')"
slurmd -f "$SLURM_CONF" 2>"$dir/log/slurmd.err" || skip "slurmd cannot start: $(tail -2 "$dir/log/slurmd.log" "$dir/log/slurmd.err" 2>/dev/null | tr '\n' ' ')"
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -1)
  [ "$state" = idle ] && exit 0
  sleep 0.5
done
skip "the Slurm node did not become idle (state '${state:-none}'): $(tail -3 "$dir/log/slurmd.log" "$dir/log/slurmctld.log" 2>/dev/null | tr '\n' ' ')"
