#!/usr/bin/env bash
# A throwaway one-node Slurm cluster (munged + slurmctld + slurmd on 127.0.0.1) for the grid tests
# and CI, on Debian 12 as root. Nothing goes to /etc: clients need SLURM_CONF from $BASE/env.sh.
#   install  apt-get the packages (no-op when present)
#   up       fresh cluster, waits until the node is idle (prints the env file)
#   down     stops every daemon it started, by pid file, then leftovers holding $BASE, by PID
# Settings: SLURM_TEST_DIR (absolute, must contain "slurm"; default /var/spool/capo-slurm-test),
# SLURM_TEST_CTLD_PORT (16817), SLURM_TEST_SLURMD_PORT (16818), SLURM_TEST_CPUS (nproc).
set -euo pipefail
BASE=${SLURM_TEST_DIR:-/var/spool/capo-slurm-test}
CTLD_PORT=${SLURM_TEST_CTLD_PORT:-16817}
SLURMD_PORT=${SLURM_TEST_SLURMD_PORT:-16818}
CPUS=${SLURM_TEST_CPUS:-$(nproc)}
CONF=$BASE/etc/slurm.conf
SOCK=$BASE/munge-run/munge.socket
case "$BASE" in /*slurm*) ;; *) echo "SLURM_TEST_DIR must be absolute and contain 'slurm': $BASE" >&2; exit 2 ;; esac

die() { echo "slurm_one_node: $*" >&2; exit 1; }

install() {
  if command -v munged >/dev/null && command -v slurmctld >/dev/null && command -v sbatch >/dev/null; then
    return 0
  fi
  # Debian's maintainer scripts would start the distro daemons; a policy-rc.d forbids that.
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    munge slurmctld slurmd slurm-client >/dev/null
  [ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

stop_pid_file() {
  local file=$1 pid
  [ -r "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null || true)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

down() {
  if [ -r "$CONF" ]; then SLURM_CONF=$CONF timeout 5 scancel --user=root 2>/dev/null || true; fi
  stop_pid_file "$BASE/run/slurmd.pid"
  stop_pid_file "$BASE/run/slurmctld.pid"
  stop_pid_file "$BASE/run/munged.pid"
  # slurmstepd ignores TERM once its controller is gone: end whatever still has its cwd in $BASE.
  local pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = "$$" ] && continue
    case "$(readlink "$dir/cwd" 2>/dev/null || true)" in "$BASE"/*) kill -9 "$pid" 2>/dev/null || true ;; esac
  done
}

up() {
  command -v slurmctld >/dev/null || die "slurmctld is not installed: run '$0 install' (apt: munge slurmctld slurmd slurm-client)"
  down
  rm -rf "$BASE"
  mkdir -p "$BASE"/{etc,run,log,ctld,spool,munge-run,munge-key}
  chmod 0755 "$BASE/munge-run"
  chmod 0700 "$BASE/munge-key"
  head -c 1024 /dev/urandom >"$BASE/munge-key/munge.key"
  chmod 0400 "$BASE/munge-key/munge.key"
  local mem
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  cat >"$CONF" <<CONF
ClusterName=capotest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$BASE/ctld
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=3600
KillWait=5
MpiDefault=none
ReturnToService=2
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  echo "export SLURM_CONF=$CONF" >"$BASE/env.sh"
  munged --key-file="$BASE/munge-key/munge.key" --socket="$SOCK" --pid-file="$BASE/run/munged.pid" \
    --log-file="$BASE/log/munged.log" --seed-file="$BASE/run/munged.seed" ||
    die "munged did not start; see $BASE/log/munged.log"
  slurmctld -f "$CONF" || die "slurmctld did not start; see $BASE/log/slurmctld.log"
  slurmd -f "$CONF" -N localhost || die "slurmd did not start; see $BASE/log/slurmd.log"
  local state=""
  for _ in $(seq 1 100); do
    state=$(SLURM_CONF=$CONF sinfo -h -N -n localhost -o %t 2>/dev/null || true)
    [ "$state" = "idle" ] && { echo "$BASE/env.sh"; return 0; }
    sleep 0.2
  done
  down
  die "the node did not become idle within 20 s (state '$state'); see $BASE/log/"
}

case "${1:-}" in
  install) install ;;
  up) up ;;
  down) down ;;
  *) echo "usage: $0 install|up|down" >&2; exit 2 ;;
esac
