# nginx instances: the upstream HTTP server every tunnel leads to, and the stream relays of relay2.
# Each instance is its own master with ONE worker, so every hop gets the same CPU budget on a 2-core machine.
# Sourced by bench/run.

# Lines every instance shares. worker_connections and the open-file limit cover 10,000 idle streams plus slack.
nginx_common_conf() {
  local name=$1
  cat <<EOF
worker_processes 1;
daemon off;
pid $WORK/run/$name.pid;
error_log $WORK/logs/$name-error.log warn;
worker_rlimit_nofile $(ulimit -n);
events { worker_connections 20000; }
EOF
}

# nginx_launch NAME CONF: start one nginx in the foreground (daemon off), so its pid is the master's; sets
# LAUNCHED_PID (not printed: a $(...) would make the process a grandchild we could not wait for).
nginx_launch() {
  local name=$1 conf=$2
  nginx -t -q -p "$WORK/run/$name" -c "$conf" -e "$WORK/logs/$name-error.log" \
    >>"$WORK/logs/$name.log" 2>&1 || { log_tails "$WORK/logs/$name.log" "$WORK/logs/$name-error.log"; return 1; }
  nginx -p "$WORK/run/$name" -c "$conf" -e "$WORK/logs/$name-error.log" >>"$WORK/logs/$name.log" 2>&1 &
  LAUNCHED_PID=$!
  track "$LAUNCHED_PID"
}

# make_files: /big.bin (random, so nothing on the path can compress it) and /small (~1 KB).
make_files() {
  local big=$WORK/www/big.bin
  if [ "$(stat -c %s "$big" 2>/dev/null || echo 0)" -ne "$BIG_BYTES" ]; then
    log "writing $((BIG_BYTES / 1000000)) MB of random bytes to ${big#"$ROOT"/}"
    head -c "$BIG_BYTES" /dev/urandom >"$big.tmp"
    mv "$big.tmp" "$big"
  fi
  head -c 1024 /dev/zero | tr '\0' 'x' >"$WORK/www/small"
}

# upstream_start: sets UPSTREAM_PORT and UPSTREAM_PID.
upstream_start() {
  local conf=$WORK/conf/upstream.conf
  UPSTREAM_PORT=$(free_port)
  mkdir -p "$WORK/run/upstream"
  {
    nginx_common_conf upstream
    cat <<EOF
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  # Never close a keep-alive connection during a run: wrk's connections and the idle workload's streams
  # must stay open for as long as the bench holds them.
  keepalive_requests 1000000000;
  keepalive_timeout 3600s;
  keepalive_time 24h;
  client_body_temp_path $WORK/run/upstream/body;
  proxy_temp_path $WORK/run/upstream/proxy;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT backlog=4096;
    root $WORK/www;
  }
}
EOF
  } >"$conf"
  nginx_launch upstream "$conf" || return 1
  UPSTREAM_PID=$LAUNCHED_PID
  wait_http "$UPSTREAM_PORT" 20 "$UPSTREAM_PID" || { log_tails "$WORK/logs/upstream"*.log; return 1; }
  log "upstream nginx on 127.0.0.1:$UPSTREAM_PORT (pid $UPSTREAM_PID)"
}

# relay_start NAME LISTEN_PORT TARGET_PORT: one nginx stream proxy; sets LAUNCHED_PID.
relay_start() {
  local name=$1 listen=$2 target=$3 conf=$WORK/conf/$1.conf
  mkdir -p "$WORK/run/$name"
  {
    echo "load_module /usr/lib/nginx/modules/ngx_stream_module.so;"
    nginx_common_conf "$name"
    cat <<EOF
stream {
  server {
    listen 127.0.0.1:$listen backlog=4096;
    proxy_pass 127.0.0.1:$target;
    # The idle workload holds connections without traffic; the default 10 min would be enough, but be explicit.
    proxy_timeout 1h;
  }
}
EOF
  } >"$conf"
  nginx_launch "$name" "$conf"
}
