# The tunnels compared, each set up in front of the upstream nginx. Sourced by bench/run.
#
# tunnel_start NAME [VARIANT] starts one tunnel and waits until a request through it succeeds. VARIANT (rtt50,
# idle) names its processes' logs apart from the plain tunnel's; rtt50 also adds the delay relay. It sets
#   ENTRY_PORT    where users (curl, wrk, the idle holder) connect
#   TUNNEL_PROCS  "pid:role" for each process it started, in start order
#   TUNNEL_LOGS   the log files worth showing when something fails
#   ITT_SERVER_PID / ITT_CLIENT_PID  for the itt* tunnels (what jcmd and /proc measure)
#   SERVER_END_PID / AGENT_END_PID  the process facing the users and the one facing nginx, for every tunnel but
#                 direct: ITT's server end and agent, relay A and relay B, sshd and ssh (their children count too)
# With rtt50, bench/tools/delay_relay.py (25 ms each way) sits on the hop that crosses the "network":
# between agent and server end (itt*), between ssh and sshd (ssh), between relay A and relay B (relay2*), and
# between the client and nginx (direct, which so measures the delay relay's own ceiling).
# tunnel_stop stops them again, newest first, and reports an ITT end that did not exit 0 on SIGTERM.
#
# These functions run in the main shell (their processes must be its children so that their exit status can be
# read), where errexit is off inside a `||` list: every step that can fail says `|| return 1` itself.

TOKEN=bench-token-not-secret
TUNNEL_PROCS=() TUNNEL_LOGS=() ITT_SERVER_PID="" ITT_CLIENT_PID="" SERVER_END_PID="" AGENT_END_PID=""
# nginx workers of each relay of relay2 (scale_relay_workers raises it for the scaling part).
RELAY_WORKERS=1

# launch ROLE CMD...: start CMD in the background, output to logs/ROLE.log; sets LAUNCHED_PID.
launch() {
  local role=$1
  shift
  "$@" >>"$WORK/logs/$role.log" 2>&1 &
  LAUNCHED_PID=$!
  track "$LAUNCHED_PID"
  TUNNEL_PROCS+=("$LAUNCHED_PID:$role")
  TUNNEL_LOGS+=("$WORK/logs/$role.log")
}

# wait_listen PORT PID: poll until something listens on 127.0.0.1:PORT (10 s), failing early if PID died.
wait_listen() {
  local port=$1 pid=$2 i
  for i in $(seq 200); do
    ss -Hltn "sport = :$port" | grep -q . && return 0
    is_ours "$pid" || { log "process $pid exited before listening on $port"; return 1; }
    sleep 0.05
  done
  log "nothing listens on $port after 10 s"
  return 1
}

# delay_start TARGET_PORT ROLE: a 25 ms-each-way relay to TARGET_PORT; sets DELAY_PORT.
delay_start() {
  DELAY_PORT=$(free_port)
  launch "$2" python3 "$BENCH/tools/delay_relay.py" --listen "$DELAY_PORT" --target "$1" --delay-ms 25
  wait_listen "$DELAY_PORT" "$LAUNCHED_PID"
}

tunnel_start() {
  local name=$1 variant=${2:-} tag=$1 delay=""
  [ -n "$variant" ] && tag=$name-$variant
  [ "$variant" = rtt50 ] && delay=1
  TUNNEL_PROCS=()
  TUNNEL_LOGS=("$WORK/logs/upstream-error.log")
  ITT_SERVER_PID="" ITT_CLIENT_PID="" SERVER_END_PID="" AGENT_END_PID=""
  case $name in
    direct) start_direct "$tag" "$delay" || return 1 ;;
    relay2) start_relay2 "$tag" "$delay" || return 1 ;;
    relay2-tls) start_relay2 "$tag" "$delay" tls || return 1 ;;
    ssh) start_ssh "$tag" "$delay" || return 1 ;;
    itt | itt-jdk17 | itt-legacy | itt-tls | itt-tls-jdk | itt-tls-openssl)
      start_itt "$tag" "$delay" "$name" || return 1 ;;
    *) log "unknown tunnel $name"; return 1 ;;
  esac
  local pids=() p
  for p in "${TUNNEL_PROCS[@]}"; do pids+=("${p%%:*}"); done
  wait_http "$ENTRY_PORT" 60 "${pids[@]}" || return 1
  [ -z "$ITT_SERVER_PID" ] || itt_java_seen "$name"
  log "$tag ready on 127.0.0.1:$ENTRY_PORT"
}

# itt_java_seen TUNNEL: notes, in run/java-seen, the java binary each running ITT end executes (/proc/PID/exe:
# the launcher execs the JVM in the launched process), for the report's header.
itt_java_seen() {
  local pid exe
  for pid in "$ITT_SERVER_PID" "$ITT_CLIENT_PID"; do
    exe=$(readlink "/proc/$pid/exe") || { warn "$1: cannot read the executable of pid $pid"; continue; }
    printf '%s\t%s\n' "$1" "$exe" >>"$WORK/run/java-seen"
  done
}

# scale_relay_workers: one nginx process relaying N connections holds 2N descriptors (one each way), more than
# an open-file limit that cannot be raised past 20,000 allows at 10,000 connections. Then each relay gets as many
# workers, sharing the listening port (reuseport), as that takes, and the report says so.
scale_relay_workers() {
  local most=${SCALE_POINTS[-1]} limit
  limit=$(ulimit -n)
  RELAY_WORKERS=$(((2 * most + 100 + limit - 101) / (limit - 100)))
  if [ "$RELAY_WORKERS" -gt 1 ] && [[ " ${SCALE_TUNNELS[*]} " == *" relay2 "* ]]; then
    note "scale: each relay of relay2 ran $RELAY_WORKERS nginx workers (reuseport), not 1: one process relaying" \
      "$(thousands "$most") connections needs $(thousands $((2 * most))) descriptors, and the open-file limit" \
      "here is $(thousands "$limit")"
  fi
}

# tunnel_alive [quiet]: every process of the current tunnel still runs (else a warning, unless quiet).
tunnel_alive() {
  local p
  for p in "${TUNNEL_PROCS[@]}"; do
    if ! is_ours "${p%%:*}"; then
      [ -n "${1:-}" ] || warn "${p#*:} (pid ${p%%:*}) is no longer running"
      return 1
    fi
  done
}

tunnel_stop() {
  local i p pid role rc
  for ((i = ${#TUNNEL_PROCS[@]} - 1; i >= 0; i--)); do
    p=${TUNNEL_PROCS[i]} pid=${p%%:*} role=${p#*:}
    rc=0
    stop_pid "$pid" "$role" || rc=$?
    # ITT promises a clean exit 0 on SIGTERM; anything else is a finding.
    if [[ $role == *itt* && $role != *delay* && $rc -ne 0 ]]; then
      if [ "$STOP_WAS_RUNNING" = 1 ]; then
        warn "$role exited with status $rc on SIGTERM (expected 0)"
      else
        warn "$role had already exited, with status $rc"
      fi
      log_tails "$WORK/logs/$role.log"
    fi
  done
  TUNNEL_PROCS=()
}

start_direct() {
  local tag=$1 delay=$2
  if [ -n "$delay" ]; then
    delay_start "$UPSTREAM_PORT" "$tag-delay" || return 1
    ENTRY_PORT=$DELAY_PORT
  else
    ENTRY_PORT=$UPSTREAM_PORT
  fi
}

# relay2: client -> relay A -> relay B -> nginx, two nginx stream proxies with one worker each. With tls (the
# relay2-tls tunnel), A dials B over TLS and verifies its certificate as ITT's agent does (make_certs).
start_relay2() {
  local tag=$1 delay=$2 tls=${3:-} port_a port_b next
  port_a=$(free_port)
  port_b=$(free_port)
  relay_start "$tag-b" "$port_b" "$UPSTREAM_PORT" "${tls:+serve}" || return 1
  TUNNEL_PROCS+=("$LAUNCHED_PID:$tag-b")
  AGENT_END_PID=$LAUNCHED_PID
  TUNNEL_LOGS+=("$WORK/logs/$tag-b.log" "$WORK/logs/$tag-b-error.log")
  wait_listen "$port_b" "$LAUNCHED_PID" || return 1
  next=$port_b
  if [ -n "$delay" ]; then
    delay_start "$port_b" "$tag-delay" || return 1
    next=$DELAY_PORT
  fi
  relay_start "$tag-a" "$port_a" "$next" "${tls:+dial}" || return 1
  TUNNEL_PROCS+=("$LAUNCHED_PID:$tag-a")
  SERVER_END_PID=$LAUNCHED_PID
  TUNNEL_LOGS+=("$WORK/logs/$tag-a.log" "$WORK/logs/$tag-a-error.log")
  ENTRY_PORT=$port_a
}

# ssh -R: a private sshd on loopback (own config, own host key, a generated client key authorized for the
# current user) and `ssh -R` asking it to listen on ENTRY_PORT and forward to nginx.
start_ssh() {
  local tag=$1 delay=$2 dir=$WORK/run/ssh sshd_port ssh_port user
  user=$(id -un)
  mkdir -p "$dir"
  chmod 700 "$dir"
  [ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$dir/host_ed25519" || return 1
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$dir/client_ed25519" || return 1
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
  chmod 600 "$dir/authorized_keys"
  # Privilege separation needs this directory when sshd runs as root (the package's unit creates it at boot).
  if [ ! -d /run/sshd ]; then
    if [ "$(id -u)" -eq 0 ]; then mkdir -p /run/sshd; else sudo mkdir -p /run/sshd; fi
    chmod 755 /run/sshd 2>/dev/null || true
  fi
  sshd_port=$(free_port)
  ENTRY_PORT=$(free_port)
  cat >"$WORK/conf/$tag-sshd_config" <<EOF
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile none
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
# bench/work may sit under a group-writable directory; the key files themselves are private.
StrictModes no
AllowTcpForwarding remote
GatewayPorts no
PermitTTY no
X11Forwarding no
PrintMotd no
MaxStartups 100
LogLevel INFO
EOF
  # -D: stay in the foreground, so the pid is the listener's; -e: log to stderr (our log file).
  launch "$tag-sshd" /usr/sbin/sshd -D -e -f "$WORK/conf/$tag-sshd_config"
  SERVER_END_PID=$LAUNCHED_PID
  wait_listen "$sshd_port" "$LAUNCHED_PID" || return 1
  ssh_port=$sshd_port
  if [ -n "$delay" ]; then
    delay_start "$sshd_port" "$tag-delay" || return 1
    ssh_port=$DELAY_PORT
  fi
  launch "$tag-ssh" ssh -F none -N -o ExitOnForwardFailure=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -i "$dir/client_ed25519" \
    -p "$ssh_port" -R "127.0.0.1:$ENTRY_PORT:127.0.0.1:$UPSTREAM_PORT" "$user@127.0.0.1"
  AGENT_END_PID=$LAUNCHED_PID
}

# start_itt TAG DELAY NAME: server end and agent as two JVMs, for the tunnel NAME: itt (native protocol with a
# token), itt-jdk17 (the same on the JDK of the java on the PATH), itt-legacy (legacy protocol, which has no
# authentication and refuses a token), itt-tls (itt with TLS on the tunnel connection, the engine tls.engine
# defaults to) and itt-tls-jdk / itt-tls-openssl (the same with tls.engine set). The agent trusts the bench CA
# and checks the certificate's name (make_certs).
start_itt() {
  local tag=$1 delay=$2 name=$3 protocol=native tunnel_port downstream auth server_tls=() agent_tls=() engine=""
  # itt_launch reads java_home (bash lets a function see its caller's locals).
  local java_home=""
  [ "$name" = itt-jdk17 ] && java_home=$PATH_JAVA_HOME
  [ "$name" = itt-legacy ] && protocol=legacy
  auth=(-token "$TOKEN")
  [ "$protocol" = legacy ] && auth=()
  if [[ $name == itt-tls* ]]; then
    server_tls=(-tls-cert "$TLS_DIR/server.crt" -tls-key "$TLS_DIR/server.key")
    agent_tls=(-tls-trust "$TLS_DIR/ca.crt" -tls-server-name "$TLS_NAME")
    [ "$name" = itt-tls ] || engine=${name#itt-tls-}
  fi
  ENTRY_PORT=$(free_port)
  tunnel_port=$(free_port)
  ITT_ENGINE=$engine itt_launch "$tag-server" server -listen "127.0.0.1:$ENTRY_PORT" \
    -tunnel "127.0.0.1:$tunnel_port" -protocol "$protocol" "${auth[@]}" "${server_tls[@]}" -loglevel warn
  ITT_SERVER_PID=$LAUNCHED_PID SERVER_END_PID=$LAUNCHED_PID
  downstream=$tunnel_port
  if [ -n "$delay" ]; then
    # The agent must dial through the relay, so the server end has to be listening first.
    wait_listen "$tunnel_port" "$ITT_SERVER_PID" || return 1
    delay_start "$tunnel_port" "$tag-delay" || return 1
    downstream=$DELAY_PORT
  fi
  ITT_ENGINE=$engine itt_launch "$tag-client" client -downstream "127.0.0.1:$downstream" \
    -upstream "127.0.0.1:$UPSTREAM_PORT" -protocol "$protocol" "${auth[@]}" "${agent_tls[@]}" -loglevel warn
  ITT_CLIENT_PID=$LAUNCHED_PID AGENT_END_PID=$LAUNCHED_PID
}

# itt_launch ROLE ARGS...: one ITT process started by its launcher ($ITT_APP/itt: the production JVM options and
# class archive), configured by its command line alone: run from a scratch directory (no config/ or .env file of
# the caller's applies) and without any ITT_* environment variable, which ITT reads as configuration and rejects
# when it is not one of its keys (as ITT_APP and ITT_JVM_OPTS are not). ITT_JVM_OPTS reaches the JVM as JAVA_OPTS,
# after the launcher's options. ITT_ENGINE, when set, becomes the tunnel's tls.engine (the command line's tunnel is
# named itt), as a system property. A java_home of the caller's, when set, is the JAVA_HOME the launcher sees;
# else JAVA_HOME stays as the caller of bench/run has it (set or not), as a user's would.
itt_launch() {
  local role=$1 java_opts=$ITT_JVM_OPTS unset_env=() set_env=() v
  shift
  [ -z "${ITT_ENGINE:-}" ] || java_opts+=" -Ditt.tunnels.itt.tls.engine=$ITT_ENGINE"
  for v in $(compgen -e); do [[ $v == ITT_* ]] && unset_env+=(-u "$v"); done
  [ -z "${java_home:-}" ] || set_env+=(JAVA_HOME="$java_home")
  local cwd=$WORK/run/itt-cwd
  mkdir -p "$cwd"
  # shellcheck disable=SC2016 # $1 and $@ are the inner shell's
  launch "$role" env "${unset_env[@]}" "${set_env[@]}" JAVA_OPTS="$java_opts" bash -c 'cd "$1" && shift && exec "$@"' itt-launch \
    "$cwd" "$ITT_LAUNCHER" "$@"
}
