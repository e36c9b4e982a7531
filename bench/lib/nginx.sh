# nginx instances: the upstream HTTP server every tunnel leads to, and the stream relays of relay2.
# Each instance is its own master with ONE worker, so every hop gets the same CPU budget on a 2-core machine
# (but see scale_relay_workers). Sourced by bench/run.

# nginx_common_conf NAME [WORKERS]: lines every instance shares. worker_connections and the open-file limit cover
# 10,000 idle streams plus slack.
nginx_common_conf() {
  local name=$1 workers=${2:-1}
  cat <<EOF
worker_processes $workers;
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

# make_certs: a CA and a server certificate for TLS_NAME (and 127.0.0.1), P-256 keys as the tests use, made afresh
# in run/tls by every run: the repository holds no private key. relay2-tls's relay B and the itt-tls server ends
# serve it; relay A and the agents trust the CA.
TLS_NAME=bench.itt.test
make_certs() {
  TLS_DIR=$WORK/run/tls
  mkdir -p "$TLS_DIR"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" -days 2 -subj "/CN=bench CA" \
    2>>"$WORK/logs/openssl.log"
  openssl req "${ec[@]}" -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" -subj "/CN=$TLS_NAME" \
    2>>"$WORK/logs/openssl.log"
  printf 'subjectAltName=DNS:%s,IP:127.0.0.1\n' "$TLS_NAME" >"$TLS_DIR/server.ext"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
    -days 2 -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.crt" 2>>"$WORK/logs/openssl.log"
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

# relay_start NAME LISTEN_PORT TARGET_PORT [serve|dial]: one nginx stream proxy; sets LAUNCHED_PID. serve: it
# listens with TLS (the bench certificate of make_certs); dial: it speaks TLS to TARGET_PORT, verifying the
# certificate and its name as ITT's agent does. Both with TLS 1.2 and 1.3, nginx's default ciphers, and the TLS
# session cache nginx would use (relay A resumes B's sessions for new connections). With RELAY_WORKERS above 1,
# the workers share the port with reuseport: the kernel spreads the connections evenly among them.
relay_start() {
  local name=$1 listen=$2 target=$3 tls=${4:-} conf=$WORK/conf/$1.conf ssl="" tls_lines="" reuse=""
  [ "$RELAY_WORKERS" -eq 1 ] || reuse=" reuseport"
  mkdir -p "$WORK/run/$name"
  case $tls in
    serve)
      ssl=" ssl"
      tls_lines="ssl_certificate $TLS_DIR/server.crt;
    ssl_certificate_key $TLS_DIR/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:$name:10m;" ;;
    dial)
      tls_lines="proxy_ssl on;
    proxy_ssl_protocols TLSv1.2 TLSv1.3;
    proxy_ssl_verify on;
    proxy_ssl_trusted_certificate $TLS_DIR/ca.crt;
    proxy_ssl_name $TLS_NAME;
    proxy_ssl_server_name on;
    proxy_ssl_session_reuse on;" ;;
  esac
  {
    echo "load_module /usr/lib/nginx/modules/ngx_stream_module.so;"
    nginx_common_conf "$name" "$RELAY_WORKERS"
    cat <<EOF
stream {
  server {
    listen 127.0.0.1:$listen$ssl$reuse backlog=4096;
    proxy_pass 127.0.0.1:$target;
    $tls_lines
    # The idle workload holds connections without traffic; the default 10 min would be enough, but be explicit.
    proxy_timeout 1h;
  }
}
EOF
  } >"$conf"
  nginx_launch "$name" "$conf"
}
