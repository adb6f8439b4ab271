#!/usr/bin/env bash
# Cold download of the same workflow-made archive (>= 100 MB) by temporal-libs
# from the loopback GitHub fake and from Debian's docker-registry (the CNCF
# distribution registry) on 127.0.0.1, medians side by side, next to the
# baseline curl -o + sha256sum -c of the registry blob. The release is pushed
# to the registry in the layout of docs/oci.md (blobs, platform manifest,
# index) with curl, so only the download side is the tool's. The registry
# download runs `temporal-libs download --source oci://…`.
#   bash bench/registry_bench.sh [SIZE_MB_PER_LIB=40] [RUNS=3]
source "$(dirname "$0")/common.sh"
size_mb="${1:-40}"
runs="${2:-3}"
command -v docker-registry >/dev/null || { echo "needs docker-registry (scripts/deps/test.txt)" >&2; exit 2; }
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
REG_PID=""
trap 'stop_fake; [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT
platform=linux-x64
tag=temporal-libs-v9.9.9
repo=bench/temporal-libs
archive="$(make_release "$BENCH_TMP" "$tag" "$platform" "$size_mb")"
rm -rf "$BENCH_TMP/artifacts-"*
name="$(basename "$archive")"
bytes=$(stat -c %s "$archive")
echo "archive: $name, $(numfmt --to=iec "$bytes")"
start_fake "$BENCH_TMP"

# The registry: a free port, filesystem storage in the bench directory.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$BENCH_TMP/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $BENCH_TMP/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$BENCH_TMP/registry.yml" >"$BENCH_TMP/registry.log" 2>&1 &
REG_PID=$!
reg="http://127.0.0.1:$port"
for _ in $(seq 200); do curl -sf "$reg/v2/" >/dev/null && break; sleep 0.05; done

# push FILE: uploads one blob (POST, then a monolithic PUT), prints its digest.
push() {
  local file="$1" digest loc
  digest="sha256:$(sha256sum "$file" | cut -d' ' -f1)"
  loc=$(curl -sSi -X POST "$reg/v2/$repo/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case "$loc" in /*) loc="$reg$loc" ;; esac
  curl -sSf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" \
    "$loc&digest=$digest" >/dev/null
  echo "$digest"
}
layer() {  # FILE MEDIA_TYPE
  printf '{"mediaType":"%s","digest":"%s","size":%d,"annotations":{"org.opencontainers.image.title":"%s"}}' \
    "$2" "$(push "$1")" "$(stat -c %s "$1")" "$(basename "$1")"
}
printf '{}' > "$BENCH_TMP/empty.json"
empty=$(push "$BENCH_TMP/empty.json")
manifest=$(printf '{"artifactType":"application/vnd.temporal-libs.release.v1","config":{"data":"e30=","digest":"%s","mediaType":"application/vnd.oci.empty.v1+json","size":2},"layers":[%s,%s],"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}' \
  "$empty" "$(layer "$archive" application/vnd.temporal-libs.archive.v1.tar+gzip)" \
  "$(layer "$archive.sha256" text/plain)")
printf '%s' "$manifest" > "$BENCH_TMP/manifest.json"
curl -sSf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary "@$BENCH_TMP/manifest.json" "$reg/v2/$repo/manifests/$tag-$platform" >/dev/null
printf '{"annotations":{"org.temporal-libs.layout":"1"},"artifactType":"application/vnd.temporal-libs.release.v1","manifests":[{"annotations":{"org.temporal-libs.platform":"%s"},"digest":"sha256:%s","mediaType":"application/vnd.oci.image.manifest.v1+json","platform":{"architecture":"amd64","os":"linux"},"size":%d}],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}' \
  "$platform" "$(sha256sum "$BENCH_TMP/manifest.json" | cut -d' ' -f1)" "$(stat -c %s "$BENCH_TMP/manifest.json")" \
  > "$BENCH_TMP/index.json"
curl -sSf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
  --data-binary "@$BENCH_TMP/index.json" "$reg/v2/$repo/manifests/$tag" >/dev/null
blob="sha256:$(sha256sum "$archive" | cut -d' ' -f1)"

oci_url="oci://127.0.0.1:$port/$repo"
oci_cmd=("$tool" -q download --version "$tag" --platform "$platform" --source "$oci_url" --cache-dir)
oci_label="temporal-libs from docker-registry (oci://)"
gh=(); oci=(); base=()
oci_ok=1
for i in $(seq "$runs"); do
  rm -rf "$BENCH_TMP/cache"
  gh+=("$(time_cmd "$tool" -q download --version "$tag" --platform "$platform" \
          --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache")")
  rm -rf "$BENCH_TMP/cache"
  t0=$(now)
  if "${oci_cmd[@]}" "$BENCH_TMP/cache" >/dev/null 2>"$BENCH_TMP/oci.err"; then
    t1=$(now); oci+=("$(echo "$t1 - $t0" | bc -l)")
  else
    oci_ok=0
  fi
  rm -rf "$BENCH_TMP/seq" && mkdir -p "$BENCH_TMP/seq"
  t0=$(now)
  (cd "$BENCH_TMP/seq" && curl -sSf -o "$name" "$reg/v2/$repo/blobs/$blob" \
     && cp "$archive.sha256" . && sha256sum -c --quiet "$name.sha256" && mkdir x && tar -xzf "$name" -C x)
  t1=$(now); base+=("$(echo "$t1 - $t0" | bc -l)")
done
g=$(printf '%s\n' "${gh[@]}" | median); b=$(printf '%s\n' "${base[@]}" | median)
printf '\n%-52s %8s\n' "cold download of $(numfmt --to=iec "$bytes"), median of $runs" "seconds"
printf '%-52s %8.3f\n' "temporal-libs from the GitHub fake" "$g"
if [ "$oci_ok" = 1 ]; then
  o=$(printf '%s\n' "${oci[@]}" | median)
  printf '%-52s %8.3f\n' "$oci_label" "$o"
  printf '%-52s %8.2f\n' "ratio registry / GitHub fake" "$(echo "$o / $g" | bc -l)"
else
  printf '%-52s %8s  (%s)\n' "$oci_label" "n/a" \
    "$(head -c 200 "$BENCH_TMP/oci.err" | tr '\n' ' ')"
fi
printf '%-52s %8.3f\n' "curl -o blob + sha256sum -c + tar -xzf (registry)" "$b"
