#!/usr/bin/env bash
# Static mirrors: the same workflow-made archive (about 100 MB) downloaded cold
# from the loopback GitHub fake and from a directory mirror that
# `temporal-libs mirror` wrote and Debian's nginx serves, medians side by side;
# then `mirror --platform all` of three platforms next to three one-platform
# runs, with storage paced per connection (as CDNs and object stores limit).
#   bash bench/mirror_bench.sh [SIZE_MB_PER_LIB=42] [RUNS=3] [PACED_MB_PER_S=25]
source "$(dirname "$0")/common.sh"
size_mb="${1:-42}"
runs="${2:-3}"
paced_mb="${3:-25}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$nginx_bin" ] || { echo "nginx is needed: apt-get install nginx-light" >&2; exit 2; }
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
NGINX_PID=""
stop_nginx() { [ -n "$NGINX_PID" ] && { kill -QUIT "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; }; NGINX_PID=""; }
trap 'stop_fake; stop_nginx; rm -rf "$BENCH_TMP"' EXIT

# Starts nginx serving DIR on a free loopback port; sets MIRROR_URL.
start_nginx() {
  local root="$1" w="$BENCH_TMP/nginx" port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$w/tmp" "$w/logs"
  cat > "$w/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
pid $w/nginx.pid;
error_log $w/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $w/tmp/body; proxy_temp_path $w/tmp/proxy; fastcgi_temp_path $w/tmp/fastcgi;
  uwsgi_temp_path $w/tmp/uwsgi; scgi_temp_path $w/tmp/scgi;
  types { application/json json; }
  default_type application/octet-stream;
  sendfile on;
  server { listen 127.0.0.1:$port; root $root; location / { } }
}
CONF
  "$nginx_bin" -p "$w" -c "$w/nginx.conf" -g 'daemon off;' 2>"$w/logs/stderr.log" &
  NGINX_PID=$!
  for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  MIRROR_URL="http://127.0.0.1:$port/"
}

platform=linux-x64
tag=temporal-libs-v9.9.9
archive="$(make_release "$BENCH_TMP" "$tag" "$platform" "$size_mb")"
name="$(basename "$archive")"
bytes=$(stat -c %s "$archive")
echo "archive: $name, $(numfmt --to=iec "$bytes")"
start_fake "$BENCH_TMP"
"$tool" -q mirror --version "$tag" --platform "$platform" --to "$BENCH_TMP/mirror" --api-url "$API_URL"
start_nginx "$BENCH_TMP/mirror"

gh=(); mi=()
for i in $(seq "$runs"); do
  rm -rf "$BENCH_TMP/cache"
  gh+=("$(time_cmd "$tool" -q download --version "$tag" --platform "$platform" \
           --api-url "$API_URL" --source github --cache-dir "$BENCH_TMP/cache")")
  rm -rf "$BENCH_TMP/cache"
  mi+=("$(time_cmd "$tool" -q download --version "$tag" --platform "$platform" \
           --api-url http://127.0.0.1:9 --source "$MIRROR_URL" --cache-dir "$BENCH_TMP/cache")")
done
[ -d "$BENCH_TMP/cache/$tag/$platform" ] || { echo "download from the mirror failed" >&2; exit 1; }
g=$(printf '%s\n' "${gh[@]}" | median); m=$(printf '%s\n' "${mi[@]}" | median)
printf '\n%-52s %8s\n' "cold download of $(numfmt --to=iec "$bytes"), median of $runs" "seconds"
printf '%-52s %8.3f\n' "from the GitHub fake (API + redirect to storage)" "$g"
printf '%-52s %8.3f\n' "from the directory mirror served by nginx" "$m"
printf '%-52s %8.2f\n' "ratio mirror / GitHub fake" "$(echo "$m / $g" | bc -l)"
stop_nginx
stop_fake

# Three platforms, storage paced per connection.
small_mb=$(( size_mb / 4 > 0 ? size_mb / 4 : 1 ))
three_tag=temporal-libs-v9.9.10
for p in linux-x64 linux-arm64 macos-arm64; do
  make_release "$BENCH_TMP" "$three_tag" "$p" "$small_mb" >/dev/null
done
three_bytes=$(du -cb "$BENCH_TMP/releases/$three_tag/"*.tar.gz | tail -1 | cut -f1)
start_fake "$BENCH_TMP" --rate $((paced_mb * 1024 * 1024)) --rate-per-download
par=(); seq_=()
for i in $(seq "$runs"); do
  rm -rf "$BENCH_TMP/m-par" "$BENCH_TMP/m-seq"
  par+=("$(time_cmd "$tool" -q mirror --version "$three_tag" --platform all --to "$BENCH_TMP/m-par" --api-url "$API_URL")")
  t0=$(now)
  for p in linux-x64 linux-arm64 macos-arm64; do
    "$tool" -q mirror --version "$three_tag" --platform "$p" --to "$BENCH_TMP/m-seq" --api-url "$API_URL" >/dev/null 2>&1
  done
  t1=$(now); seq_+=("$(echo "$t1 - $t0" | bc -l)")
done
ls "$BENCH_TMP/m-par/$three_tag/" | grep -c 'tar.gz$' | grep -qx 3 || { echo "parallel mirror incomplete" >&2; exit 1; }
again=$(time_cmd "$tool" -q mirror --version "$three_tag" --platform all --to "$BENCH_TMP/m-par" --api-url "$API_URL")
p=$(printf '%s\n' "${par[@]}" | median); s=$(printf '%s\n' "${seq_[@]}" | median)
printf '\n%-52s %8s\n' "mirror of 3 platforms ($(numfmt --to=iec "$three_bytes")), $paced_mb MB/s per connection" "seconds"
printf '%-52s %8.3f\n' "mirror --platform all (parallel)" "$p"
printf '%-52s %8.3f\n' "three mirror --platform P runs, one by one" "$s"
printf '%-52s %8.2f\n' "speed-up one by one / parallel" "$(echo "$s / $p" | bc -l)"
printf '%-52s %8.3f\n' "rerun of mirror --platform all (nothing new)" "$again"
