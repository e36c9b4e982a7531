# Shared helpers for bench/run: logging, scratch layout, free ports, process tracking and clean-up, polling,
# and the results file that bench/tools/report.py turns into the table. Sourced, never run.

log()  { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; note "WARNING: $*"; }
die()  { printf 'bench: %s\n' "$*" >&2; exit 1; }

# Scratch layout under bench/work (gitignored). WORK must be set by the caller.
init_work() {
  # Keep the 100 MB file between runs (it is only random bytes); everything else starts afresh.
  rm -rf "$WORK/logs" "$WORK/raw" "$WORK/run" "$WORK/conf"
  mkdir -p "$WORK/logs" "$WORK/raw" "$WORK/run" "$WORK/conf" "$WORK/www"
  : >"$WORK/results.tsv"
  : >"$WORK/notes.txt"
  : >"$WORK/run/pids"
  : >"$WORK/run/ports"
}

# thousands N: N with a comma between each group of three digits (10000 -> 10,000).
thousands() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta' <<<"$1"; }

# A line for the Notes section of the report.
note() { printf '%s\n' "$*" >>"$WORK/notes.txt"; }

# record TUNNEL KEY VALUE: one figure for the table (KEY as listed in tools/report.py).
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$WORK/results.tsv"; }

# Install whatever Debian package is missing, with sudo only when not root (same rule as ./test).
ensure_packages() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing+=(libnginx-mod-stream)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
  command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "installing: ${missing[*]}"
    $sudo apt-get update -qq
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # JDK tools (jcmd) come with the JDK that runs ITT, not from a package we pick.
  command -v java >/dev/null 2>&1 || die "java (17+) not found on PATH"
  command -v jcmd >/dev/null 2>&1 || die "jcmd not found on PATH (a full JDK is needed, not a JRE)"
}

# 10,000 idle connections need ~10k descriptors in each of nginx, both ITT ends and the holder. Raise the soft
# limit as far as the hard limit allows (a container may forbid raising the hard limit even for root).
raise_fd_limit() {
  local want=65536 hard
  ulimit -n "$want" 2>/dev/null && return 0
  hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ]; then ulimit -n "$want"; else ulimit -n "$hard"; fi
  [ "$(ulimit -n)" -ge 20000 ] || log "open-file limit is only $(ulimit -n): the idle workload may run out of descriptors"
}

# free_port: print a TCP port free on 127.0.0.1, below the kernel's ephemeral range so that the many outgoing
# connections of the load tests can never be handed a port that a component is about to listen on.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    grep -qx "$p" "$WORK/run/ports" && continue
    if python3 - "$p" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
    then echo "$p" >>"$WORK/run/ports"; echo "$p"; return 0; fi
  done
}

# --- processes -----------------------------------------------------------------------------------------------
# Every background process is listed in run/pids with its start time, so that clean-up (which may run from any
# subshell, or from the EXIT trap) ends exactly the processes this run started and never a recycled pid.

# The start time (field 22 of /proc/PID/stat); nothing for a zombie, which has exited and only awaits its parent.
# (The command name in field 2 has no spaces for anything started here: java, nginx, sshd, ssh, python3.)
proc_start_time() { awk '$3 != "Z" {print $22}' "/proc/$1/stat" 2>/dev/null; }

track() { echo "$1 $(proc_start_time "$1")" >>"$WORK/run/pids"; }

# is_ours PID: alive and the same process we started.
is_ours() {
  local pid=$1 want
  want=$(awk -v p="$pid" '$1 == p {print $2}' "$WORK/run/pids" | tail -1)
  [ -n "$want" ] && [ "$(proc_start_time "$pid")" = "$want" ]
}

# stop_pid PID [NAME]: SIGTERM, up to 15 s to exit, then SIGKILL. Returns the exit status when PID is a child
# of this shell (so ITT's clean exit 0 can be checked), else 0; STOP_WAS_RUNNING says whether it still ran.
stop_pid() {
  local pid=$1 name=${2:-$1} _i rc=0
  STOP_WAS_RUNNING=0
  if is_ours "$pid"; then
    STOP_WAS_RUNNING=1
    kill -TERM "$pid" 2>/dev/null || true
    for _i in $(seq 150); do is_ours "$pid" || break; sleep 0.1; done
    if is_ours "$pid"; then
      log "$name (pid $pid) ignored SIGTERM for 15 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || rc=$?
  # 127: not a child of this shell, nothing to report.
  [ "$rc" -eq 127 ] && rc=0
  return "$rc"
}

# Ends everything still running, newest first (clients before the servers they talk to).
cleanup_all() {
  local pid _
  [ -f "$WORK/run/pids" ] || return 0
  tac "$WORK/run/pids" | while read -r pid _; do
    if is_ours "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  sleep 0.5
  tac "$WORK/run/pids" | while read -r pid _; do
    local _i
    for _i in $(seq 50); do is_ours "$pid" || break; sleep 0.1; done
    if is_ours "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}

# --- polling -------------------------------------------------------------------------------------------------

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }  # bash 5: no date process per call

# http_ok PORT [PATH]: one request through PORT succeeds with a 200 and the whole body.
http_ok() {
  local out
  out=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$1${2:-/small}" 2>/dev/null) || return 1
  [ "$out" = 200 ]
}

# wait_http PORT TIMEOUT_S PIDS...: poll until a request through PORT succeeds; fail early when one of PIDS dies.
wait_http() {
  local port=$1 timeout=$2 deadline pid
  shift 2
  deadline=$(( $(now_ms) + timeout * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    http_ok "$port" && return 0
    for pid in "$@"; do
      if ! is_ours "$pid"; then log "process $pid exited before the tunnel became ready"; return 1; fi
    done
    sleep 0.05
  done
  log "no successful request through port $port within ${timeout}s"
  return 1
}

# log_tails FILE...: the last lines of each log, for a failure report.
log_tails() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    printf -- '--- last lines of %s\n' "${f#"$ROOT"/}" >&2
    tail -n 15 "$f" >&2
  done
}
