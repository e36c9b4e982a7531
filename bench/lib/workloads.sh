# The workloads, one function each: wl_NAME TUNNEL. Sourced by bench/run, which runs each one in a subshell with
# errexit on (see run_workload), so any failing command fails that workload alone. A workload reads ENTRY_PORT,
# TUNNEL_PROCS and ITT_SERVER_PID / ITT_CLIENT_PID of the running tunnel, keeps the tools' raw output in
# work/raw/TUNNEL-WORKLOAD*.txt, and records its figures with `record TUNNEL WORKLOAD.METRIC VALUE` (keys as
# listed in tools/report.py).

measure() { python3 "$BENCH/tools/measure.py" "$@"; }

# word KEY TEXT: the value of KEY=value among TEXT's words.
word() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# calc EXPR: floating-point arithmetic, printed with at most 3 significant decimals.
calc() { python3 -c "import sys; v = eval(sys.argv[1]); print(f'{v:.3g}' if abs(v) < 100 else f'{v:.0f}')" "$1"; }

url() { echo "http://127.0.0.1:$ENTRY_PORT$1"; }

tunnel_pids() { local p; for p in "${TUNNEL_PROCS[@]}"; do echo "${p%%:*}"; done; }

# warmup: load that is not measured, so that a JVM's data path is compiled before the figures are taken (the
# same for every tunnel, for fairness). Errors here only go to the notes.
wl_warmup() {
  local r
  r=$(run_wrk "$1-warmup" -t2 -c10 -d "${WARMUP_SECONDS}s")
  note_errors "$1 warm-up" "$(word errors "$r")"
  # A connection per request as well: opening and closing a stream is a path of its own (dial, half-close,
  # close), which keep-alive requests never take and a JVM compiles only after thousands of connections.
  r=$(run_wrk "$1-warmup-newconn" -t2 -c10 -d "${WARMUP_SECONDS}s" -H 'Connection: close')
  note_errors "$1 warm-up with a connection per request" "$(word errors "$r")"
  # Downloads for as long again: a JVM compiles the bulk path (64 KiB frames, a few thousand per download) only
  # after many downloads, and a tunnel that has run for a while has; start-up is measured on its own.
  local end=$(($(now_ms) + WARMUP_SECONDS * 1000))
  curl -s -o /dev/null --max-time 300 "$(url /big.bin)"
  while [ "$(now_ms)" -lt "$end" ]; do
    curl -s -o /dev/null --max-time 300 "$(url /big.bin)"
  done
}

# bulk: 3 downloads of /big.bin, median MB/s (10^6 bytes). Each must be a 200 with every byte.
wl_bulk() {
  local t=$1 raw=$WORK/raw/$1-bulk.txt speeds=() i out
  for i in $(seq "$BULK_RUNS"); do
    out=$(curl -s -o /dev/null --max-time 300 -w '%{http_code} %{size_download} %{speed_download}' "$(url /big.bin)")
    echo "run $i: http_code size_download speed_download(B/s) = $out" >>"$raw"
    read -r code size speed <<<"$out"
    [ "$code" = 200 ] && [ "$size" = "$BIG_BYTES" ] || { log "$t bulk: got status $code, $size of $BIG_BYTES bytes"; return 1; }
    speeds+=("$speed")
  done
  record "$t" bulk.mbps "$(calc "$(median "${speeds[@]}") / 1e6")"
}

# run_wrk NAME ARGS...: wrk against /small into raw/NAME.txt; prints the parsed words.
run_wrk() {
  local raw=$WORK/raw/$1.txt
  shift
  # A later -d (the warm-up's) overrides this default.
  timeout $((WRK_SECONDS + 60)) wrk -d "${WRK_SECONDS}s" "$@" --latency "$(url /small)" >"$raw" 2>&1 \
    || { log "wrk failed"; cat "$raw" >&2; return 1; }
  measure wrk "$raw"
}

# A few errors under load are data, not a reason to fail the workload; they go to the notes.
note_errors() { [ "$2" = 0 ] || warn "$1: wrk counted $2 errors (see bench/work/raw/)"; }

wl_1conn() {
  local t=$1 r
  r=$(run_wrk "$t-1conn" -t1 -c1)
  record "$t" 1conn.rps "$(calc "$(word rps "$r")")"
  record "$t" 1conn.p50 "$(calc "$(word p50_ms "$r")")"
  record "$t" 1conn.p99 "$(calc "$(word p99_ms "$r")")"
  note_errors "$t 1conn" "$(word errors "$r")"
}

# 50conn also samples the ITT processes' VmRSS (max over the run) and the CPU time the tunnel's own processes
# (all of them, children included: nginx workers, sshd's session process) spent per request.
wl_50conn() {
  local t=$1 r sampler="" cpu0 cpu1 rss_out=$WORK/raw/$1-50conn-rss.txt pids
  mapfile -t pids < <(tunnel_pids)
  if [ -n "$ITT_SERVER_PID" ]; then
    measure rss-max $((WRK_SECONDS + 1)) "$ITT_SERVER_PID" "$ITT_CLIENT_PID" >"$rss_out" &
    sampler=$!
    track "$sampler"
  fi
  [ ${#pids[@]} -eq 0 ] || cpu0=$(word cpu_s "$(measure cpu "${pids[@]}")")
  r=$(run_wrk "$t-50conn" -t2 -c50)
  [ ${#pids[@]} -eq 0 ] || cpu1=$(word cpu_s "$(measure cpu "${pids[@]}")")
  record "$t" 50conn.rps "$(calc "$(word rps "$r")")"
  record "$t" 50conn.p99 "$(calc "$(word p99_ms "$r")")"
  [ ${#pids[@]} -eq 0 ] || record "$t" 50conn.cpu_us "$(calc "($cpu1 - $cpu0) * 1e6 / $(word requests "$r")")"
  note_errors "$t 50conn" "$(word errors "$r")"
  if [ -n "$sampler" ]; then
    wait "$sampler"
    record "$t" 50conn.server_rss "$(calc "$(word "$ITT_SERVER_PID" "$(cat "$rss_out")") / 1e6")"
    record "$t" 50conn.client_rss "$(calc "$(word "$ITT_CLIENT_PID" "$(cat "$rss_out")") / 1e6")"
  fi
}

# newconn: a new connection per request; every error counts (they are the point of this workload).
wl_newconn() {
  local t=$1 r
  r=$(run_wrk "$t-newconn" -t2 -c50 -H 'Connection: close')
  record "$t" newconn.cps "$(calc "$(word rps "$r")")"
  record "$t" newconn.errors "$(word errors "$r")"
}

# itt_memory LABEL: heap after full GCs and VmRSS of both ITT ends, as variables LABEL_server_heap etc. (bytes),
# also logged to raw/TUNNEL-idle.txt, with a class histogram of each (raw/TUNNEL-idle-LABEL-END.histo) to see
# what an idle stream costs, or what stays behind after close.
itt_memory() {
  local label=$1 end pid heap rss
  for end in server client; do
    if [ "$end" = server ]; then pid=$ITT_SERVER_PID; else pid=$ITT_CLIENT_PID; fi
    heap=$(word heap "$(measure heap "$pid")")
    "$(jcmd_of "$pid")" "$pid" GC.class_histogram >"$WORK/raw/$TUNNEL_NAME-idle-$label-$end.histo"
    rss=$(word "$pid" "$(measure rss "$pid")")
    printf -v "${label}_${end}_heap" '%s' "$heap"
    printf -v "${label}_${end}_rss" '%s' "$rss"
    echo "$label $end (pid $pid): heap used after full GC $heap B, VmRSS $rss B" >>"$RAW_IDLE"
  done
}

# jcmd_of PID: the jcmd of the JDK that PID runs (ITT's two columns may run two JDKs), else the PATH's.
jcmd_of() {
  local beside
  beside=$(dirname "$(readlink "/proc/$1/exe")")/jcmd
  if [ -x "$beside" ]; then echo "$beside"; else echo jcmd; fi
}

# established PORT_FILTER: how many established TCP connections match an ss filter.
established() { ss -Htn state established "$1" | wc -l; }

# drained SECONDS: waits until no stream of the tunnel is left open at either end (no user connection on the
# entry port, none to nginx), for up to SECONDS; sets LEFT_USERS and LEFT_UPSTREAM to what was still open.
drained() {
  local i
  for i in $(seq $(($1 * 5))); do
    LEFT_USERS=$(established "( sport = :$ENTRY_PORT )")
    LEFT_UPSTREAM=$(established "( dport = :$UPSTREAM_PORT )")
    [ "$LEFT_USERS" -eq 0 ] && [ "$LEFT_UPSTREAM" -eq 0 ] && return 0
    sleep 0.2
  done
  return 1
}

# hold N OUT: run tools/holder.py with N connections through the tunnel, output to OUT; returns once they are all
# open (or failed) and sets HOLDER (pid) and READY (its READY line).
hold() {
  local n=$1 out=$2 i
  python3 "$BENCH/tools/holder.py" --port "$ENTRY_PORT" --count "$n" >"$out" 2>&1 &
  HOLDER=$!
  track "$HOLDER"
  # Opening takes about a second per thousand here; allow generously, but fail at once if the holder dies.
  READY=""
  for i in $(seq $((n / 10 + 600))); do
    READY=$(grep '^READY' "$out" || true)
    [ -n "$READY" ] && return 0
    is_ours "$HOLDER" || break
    sleep 0.2
  done
  log "$TUNNEL_NAME idle: holder never got ready"
  cat "$out" >&2
  return 1
}

# release OUT: tell the holder to close everything, wait for it, then until no stream is left open at either
# end (no user connection on the listen port, none from the agent to nginx): up to 60 s. Sets DROPPED.
release() {
  local out=$1
  kill -USR1 "$HOLDER"
  wait "$HOLDER" || { log "$TUNNEL_NAME idle: holder failed"; cat "$out" >&2; return 1; }
  DROPPED=$(sed -n 's/^CLOSED dropped=//p' "$out")
  drained 60 || warn "$TUNNEL_NAME idle: 60 s after closing, $LEFT_USERS user and $LEFT_UPSTREAM upstream" \
    "connections still open"
}

# idle (ITT only, on a fresh pair of processes): IDLE_N connections held open and idle through the one agent.
# A first round of IDLE_WARMUP connections, opened and closed, lets the JVMs load and compile that path (and size
# their pools) before the baseline; then memory is measured at baseline, while held, and after close.
wl_idle() {
  local t=$1 out=$WORK/raw/$1-idle-holder.txt ok failed
  TUNNEL_NAME=$t
  RAW_IDLE=$WORK/raw/$t-idle.txt
  hold "$IDLE_WARMUP" "$WORK/raw/$t-idle-warmup.txt"
  [ "$(word failed "$READY")" = 0 ] || warn "$t idle warm-up: $READY"
  release "$WORK/raw/$t-idle-warmup.txt"
  itt_memory base
  hold "$IDLE_N" "$out"
  log "$t idle: $READY"
  ok=$(word ok "$READY")
  failed=$(word failed "$READY")
  echo "while held: $(established "( sport = :$ENTRY_PORT )") user connections and" \
    "$(established "( dport = :$UPSTREAM_PORT )") upstream connections established" >>"$RAW_IDLE"
  itt_memory held
  release "$out"
  local dropped=$DROPPED
  itt_memory after
  record "$t" idle.streams "$ok"
  record "$t" idle.errors $((failed + dropped))
  [ "$dropped" = 0 ] || warn "$t idle: $dropped held connections were closed by the far side"
  local end
  for end in server client; do
    local b h a rb rh ra
    b=base_${end}_heap h=held_${end}_heap a=after_${end}_heap
    rb=base_${end}_rss rh=held_${end}_rss ra=after_${end}_rss
    record "$t" "idle.${end}_heap_per_stream" "$(calc "(${!h} - ${!b}) / $IDLE_N")"
    record "$t" "idle.${end}_heap" "$(calc "${!b} / 1e6") / $(calc "${!h} / 1e6") / $(calc "${!a} / 1e6")"
    record "$t" "idle.${end}_rss_per_stream" "$(calc "(${!rh} - ${!rb}) / $IDLE_N")"
    record "$t" "idle.${end}_rss" "$(calc "${!rb} / 1e6") / $(calc "${!rh} / 1e6") / $(calc "${!ra} / 1e6")"
  done
}

# ttfb_ms PATH: time to the first response byte of one request on a fresh connection, in ms.
ttfb_ms() { calc "$(curl -s -o /dev/null --max-time 10 -w '%{time_starttransfer}' "$(url "$1")") * 1000"; }

# rtt50: the tunnel was started with the delay relay on its "network" hop. First a check that the relay adds the
# round trip (first byte of /small on a fresh connection, median of 5: expect >= 50 ms), then one download of
# /big.bin.
wl_rtt50() {
  local t=$1 raw=$WORK/raw/$1-rtt50.txt ttfbs=() ttfb i out code size speed
  for i in 1 2 3 4 5; do ttfbs+=("$(ttfb_ms /small)"); done
  ttfb=$(median "${ttfbs[@]}")
  echo "time to first byte of /small on a fresh connection, 5 tries: ${ttfbs[*]} ms" >>"$raw"
  log "$t rtt50: first byte of /small after ${ttfbs[*]} ms (the relay adds 50 ms per round trip)"
  record "$t" rtt50.ttfb "$ttfb"
  # The tunnel was started for this part: three downloads first, not measured, so that a JVM's bulk path is
  # compiled as in the steady part (the same for every tunnel); then the median of three.
  local speeds=() run
  for run in warm-up warm-up warm-up 1 2 3; do
    out=$(curl -s -o /dev/null --max-time 600 -w '%{http_code} %{size_download} %{speed_download}' "$(url /big.bin)")
    echo "download ($run): http_code size_download speed_download(B/s) = $out" >>"$raw"
    read -r code size speed <<<"$out"
    [ "$code" = 200 ] && [ "$size" = "$BIG_BYTES" ] || { log "$t rtt50: got status $code, $size of $BIG_BYTES bytes"; return 1; }
    [ "$run" = warm-up ] || speeds+=("$speed")
  done
  record "$t" rtt50.mbps "$(calc "$(median "${speeds[@]}") / 1e6")"
}

# poll_from T0 DONE: runs the command DONE every 10 ms until it succeeds, for at most 60 s after T0 (ms), or until
# a process of the current tunnel has exited; sets POLLED_MS to the ms from T0 to DONE's success, or to nothing.
# The processes polled are JVMs starting on the same two cores: the loop forks as little as it can (curl, ss; the
# liveness check is the shell's own kill -0), as a busy poll would slow them down.
poll_from() {
  local since=$1 p
  shift
  POLLED_MS=""
  while [ $(($(now_ms) - since)) -lt 60000 ]; do
    if "$@"; then POLLED_MS=$(($(now_ms) - since)); return 0; fi
    for p in "${TUNNEL_PROCS[@]}"; do kill -0 "${p%%:*}" 2>/dev/null || return 1; done
    sleep 0.01
  done
  return 1
}

# listening PORT...: something listens on each of these ports of 127.0.0.1.
listening() {
  local port
  for port in "$@"; do [ -n "$(ss -Hltn "sport = :$port")" ] || return 1; done
}

# startup (ITT only): both JVMs launched at once; time until the first request through the tunnel succeeds,
# polling every 10 ms; median of STARTUP_RUNS launches. Each launch is a fresh pair on fresh ports.
wl_startup() {
  local t=$1 raw=$WORK/raw/$1-startup.txt times=() listen_times=() i t0 ms listen_ms
  for i in $(seq "$STARTUP_RUNS"); do
    TUNNEL_PROCS=() TUNNEL_LOGS=()
    t0=$(now_ms)
    start_itt "$t-startup$i" "" "$t"
    listen_ms=""
    poll_from "$t0" first_request || true
    ms=$POLLED_MS
    [ -z "$ms" ] || itt_java_seen "$t"
    tunnel_stop
    [ -n "$ms" ] || { log "$t startup: no request went through"; log_tails "${TUNNEL_LOGS[@]}"; return 1; }
    echo "launch $i: server end listening after ${listen_ms:-?} ms, first successful request after $ms ms" >>"$raw"
    times+=("$ms")
    listen_times+=("${listen_ms:-$ms}")
  done
  record "$t" startup.ms "$(median "${times[@]}")"
  record "$t" startup.listen_ms "$(median "${listen_times[@]}")"
}

# first_request (wl_startup's poll): a request through the tunnel succeeds. On the way, it notes when the server
# end started listening (the rest is the agent connecting), in wl_startup's listen_ms, counted from its t0 (bash
# lets a function see its callers' locals).
first_request() {
  http_ok "$ENTRY_PORT" && return 0
  [ -n "$listen_ms" ] || ! listening "$ENTRY_PORT" || listen_ms=$(($(now_ms) - t0))
  return 1
}

# floor (with itt): the start-up floors under ITT's startup rows (bench/README.md, "Start-up floor"). bench/floor
# builds, with ITT's Quarkus version, the smallest Quarkus application (quarkus: quarkus-arc and a main that
# listens) and the smallest one built like ITT (vertx: quarkus-vertx too, listening with a Vert.x NetServer on
# epoll). For each, two copies are launched at once the way ITT's ends are (same JVM options, their own AppCDS
# archive), and timed until both listen; median of STARTUP_RUNS.
wl_floor() {
  local t=$1 raw=$WORK/raw/floor.txt quarkus floor
  quarkus=$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' "$ROOT/pom.xml")
  "$ROOT/mvnw" -q -B -ntp -f "$BENCH/floor/pom.xml" -Dquarkus.platform.version="$quarkus" package >>"$raw" 2>&1 \
    || { log "floor: the build failed:"; tail -n 20 "$raw" >&2; return 1; }
  for floor in quarkus vertx; do
    floor_pair "$floor" "$raw" || return 1
    record "$t" "startup.floor_${floor}_ms" "$FLOOR_MS"
    record "$t" "startup.floor_${floor}_rss_mb" "$FLOOR_RSS_MB"
  done
}

# floor_pair NAME RAW: launches bench/floor/NAME twice at once, STARTUP_RUNS times; sets FLOOR_MS to the median
# time until both listen, and FLOOR_RSS_MB to the median of the larger VmRSS of the two, a second after that (what
# an application of that kind holds doing nothing: the floor under ITT's RSS rows).
floor_pair() {
  local floor=$1 raw=$2 app=$BENCH/floor/$1/target/quarkus-app times=() rss=() jvm_opts=() i t0 ms a b port pid most bytes
  local entry
  read -ra jvm_opts <<<"$ITT_LAUNCHER_OPTS $ITT_JVM_OPTS"
  for i in $(seq "$STARTUP_RUNS"); do
    TUNNEL_PROCS=() TUNNEL_LOGS=()
    a=$(free_port) b=$(free_port)
    t0=$(now_ms)
    for port in "$a" "$b"; do
      # shellcheck disable=SC2016 # $1 and $@ are the inner shell's
      launch "floor-$floor$i-$port" bash -c 'cd "$1" && shift && exec "$@"' floor-launch "$app" \
        java "${jvm_opts[@]}" -XX:SharedArchiveFile=app-cds.jsa -Dport="$port" -jar quarkus-run.jar
    done
    poll_from "$t0" listening "$a" "$b" || true
    ms=$POLLED_MS most=0
    if [ -n "$ms" ]; then
      sleep 1
      for entry in "${TUNNEL_PROCS[@]}"; do
        pid=${entry%%:*}
        bytes=$(word "$pid" "$(measure rss "$pid")")
        [ "${bytes:-0}" -le "$most" ] || most=$bytes
      done
    fi
    tunnel_stop
    [ -n "$ms" ] || { log "floor $floor: the two copies did not both listen"; log_tails "${TUNNEL_LOGS[@]}"; return 1; }
    echo "$floor, launch $i: both listening after $ms ms; larger VmRSS a second later $most B" >>"$raw"
    times+=("$ms") rss+=("$((most / 1000000))")
  done
  FLOOR_MS=$(median "${times[@]}")
  FLOOR_RSS_MB=$(median "${rss[@]}")
}

# most_established SECONDS SERIES: the most user connections seen established on the entry port at once,
# counted every half second for SECONDS; each count goes to the file SERIES (ms since the start, count).
most_established() {
  local most=0 now t0 end
  t0=$(now_ms)
  end=$((t0 + $1 * 1000))
  while [ "$(now_ms)" -lt "$end" ]; do
    now=$(established "( sport = :$ENTRY_PORT )")
    echo "$(($(now_ms) - t0)) $now" >>"$2"
    [ "$now" -le "$most" ] || most=$now
    sleep 0.5
  done
  echo "$most"
}

# scale POINT (once for each of SCALE_POINTS, in turn, on a tunnel started for the scaling part and warmed up):
# wrk with POINT keep-alive connections requesting /small for SCALE_SECONDS, with SCALE_TIMEOUT as its timeout.
# Figures: requests/s, latency p99, errors (as newconn counts them), the most connections seen established on the
# entry port at once (the check that they all opened), and the peak RSS of each end of the tunnel (its process
# and their children, sampled every 200 ms). First it waits for the previous point's connections to be gone.
wl_scale() {
  local t=$1 n=$2 raw=$WORK/raw/$1-scale-$2 threads=2 r sampler="" counter p99 most
  [ "$n" -ge 2 ] || threads=1
  drained 30 || warn "$t scale: 30 s after the previous point, $LEFT_USERS user and $LEFT_UPSTREAM upstream" \
    "connections still open"
  if [ -n "$SERVER_END_PID" ]; then
    measure rss-max-tree $((SCALE_SECONDS + 1)) "$SERVER_END_PID" "$AGENT_END_PID" >"$raw-rss.txt" &
    sampler=$!
    track "$sampler"
  fi
  most_established "$SCALE_SECONDS" "$raw-established-series.txt" >"$raw-established.txt" &
  counter=$!
  track "$counter"
  r=$(run_wrk "$t-scale-$n" -t"$threads" -c"$n" -d "${SCALE_SECONDS}s" --timeout "${SCALE_TIMEOUT}s")
  record "$t" "scale.$n.rps" "$(calc "$(word rps "$r")")"
  # With no reply at all, wrk's percentiles are zeros, not latencies.
  if [ "$(word requests "$r")" -gt 0 ]; then p99=$(calc "$(word p99_ms "$r")"); else p99=none; fi
  record "$t" "scale.$n.p99" "$p99"
  record "$t" "scale.$n.errors" "$(word errors "$r")"
  wait "$counter"
  most=$(cat "$raw-established.txt")
  record "$t" "scale.$n.established" "$most"
  [ "$most" -ge "$n" ] || warn "$t scale at $(thousands "$n") connections: at most $(thousands "$most") were seen" \
    "established at once"
  if [ -n "$sampler" ]; then
    wait "$sampler"
    record "$t" "scale.$n.server_rss" "$(calc "$(word "$SERVER_END_PID" "$(cat "$raw-rss.txt")") / 1e6")"
    record "$t" "scale.$n.client_rss" "$(calc "$(word "$AGENT_END_PID" "$(cat "$raw-rss.txt")") / 1e6")"
  fi
}
