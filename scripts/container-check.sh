#!/usr/bin/env bash
# make container-check: build the Dockerfile for real and start it, without Docker Hub.
#
#   1. a Debian bookworm base image from debootstrap (Python 3.11 from Debian's packages), imported
#      into podman as localhost/skillmatch-base:bookworm;
#   2. the project's Dockerfile built on it (--build-arg BASE_IMAGE=...; the default stays
#      python:3.11-slim); pip reaches PyPI over podman's default network at build time;
#   3. the image run with --network none: /health answers 200, the server process is not root, and a
#      match on the demo data works (through an API key, as authentication is on in the image).
#
# Needs root (debootstrap, podman), the Debian packages podman and debootstrap (installed when missing),
# and Debian's package mirror. Slow (several minutes), so not part of CI. Prints the figures at the end.
# SKILLMATCH_CHECK_REUSE_BASE=1 keeps an existing base image instead of bootstrapping a new one.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${SKILLMATCH_CHECK_DIR:-/tmp/skillmatch-container-check}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=localhost/skillmatch-base:bookworm
IMAGE=localhost/skillmatch:check
CTR=skillmatch-check-$$

say() { printf '\n== %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [ "$(id -u)" -ne 0 ]; then
  echo "container-check needs root (debootstrap and podman)" >&2
  exit 1
fi
if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
  say "installing podman and debootstrap from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman debootstrap >/dev/null
fi

# This sandbox (and others like it) lets podman start nothing with its defaults: crun cannot set
# RLIMIT_NOFILE to 1048576 without CAP_SYS_RESOURCE, and refuses the cgroup v1 layout ("cgroups in
# hybrid mode not supported"). runc, with limits inside the host's hard limits, runs. A CONTAINERS_CONF
# of the caller's own is kept.
if [ -z "${CONTAINERS_CONF:-}" ]; then
  command -v runc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc >/dev/null
  mkdir -p "$WORK"
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  if [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ]; then nofile=65536; fi
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 8192 ]; then nproc=8192; fi
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\nruntime = "runc"\n' \
    "$nofile" "$nofile" "$nproc" "$nproc" >"$WORK/containers.conf"
  export CONTAINERS_CONF="$WORK/containers.conf"
fi

cleanup() { podman rm -f "$CTR" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# 1. The base image.
base_seconds=reused
if [ "${SKILLMATCH_CHECK_REUSE_BASE:-0}" = 1 ] && podman image exists "$BASE"; then
  say "reusing $BASE"
else
  say "debootstrap bookworm (minbase + python3 + python3-venv) into $WORK/rootfs"
  started=$(now)
  rm -rf "$WORK/rootfs"
  mkdir -p "$WORK"
  debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
    bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  chroot "$WORK/rootfs" apt-get clean
  rm -rf "$WORK/rootfs"/var/lib/apt/lists/* "$WORK/rootfs"/var/cache/apt/*.bin
  podman rmi -f "$BASE" >/dev/null 2>&1 || true
  tar -C "$WORK/rootfs" --numeric-owner -c . \
    | podman import --change 'CMD ["python3"]' - "$BASE" >/dev/null
  rm -rf "$WORK/rootfs"
  base_seconds=$(since "$started")
fi
podman run --rm --network none "$BASE" python --version >&2

# 2. The project's image on that base. A TLS-inspecting proxy on the way to PyPI (as in this sandbox)
# needs its CA: the host's bundle goes in as a build secret, read by pip in the build stage only, so it
# is in no layer of the image.
say "podman build --build-arg BASE_IMAGE=$BASE"
secret=()
if [ -s "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" ]; then
  secret=(--secret "id=pip_ca,src=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}")
fi
started=$(now)
podman build --layers=false --build-arg "BASE_IMAGE=$BASE" "${secret[@]}" -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; exit 1; }
build_seconds=$(since "$started")
size_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")

# 3. Run it with no network at all.
say "podman run --network none $IMAGE"
started=$(now)
podman run -d --name "$CTR" --network none "$IMAGE" >/dev/null
healthy=""
probe='import urllib.request,sys; sys.exit(0 if urllib.request.urlopen("http://127.0.0.1:8000/health", timeout=2).status == 200 else 1)'
for _ in $(seq 1 600); do
  if podman exec "$CTR" python -c "$probe" 2>/dev/null; then
    healthy=$(since "$started")
    break
  fi
  if [ "$(podman inspect --format '{{.State.Running}}' "$CTR")" != true ]; then
    podman logs "$CTR" 2>&1 | tail -30 >&2
    echo "the container stopped before /health answered 200" >&2
    exit 1
  fi
  sleep 0.5
done
[ -n "$healthy" ] || { podman logs "$CTR" 2>&1 | tail -30 >&2; echo "no 200 from /health in 5 minutes" >&2; exit 1; }

server_uid=$(podman exec "$CTR" awk '/^Uid:/ { print $2 }' /proc/1/status)
if [ "$server_uid" = 0 ]; then
  echo "the server process runs as root" >&2
  exit 1
fi
if podman exec "$CTR" python -c 'import torch' 2>/dev/null; then
  echo "torch is in the image: the [st] extra was installed" >&2
  exit 1
fi

say "demo data, an API key and a match, inside the container"
podman exec "$CTR" skillmatch demo >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log" >&2; exit 1; }
secret_key=$(podman exec "$CTR" skillmatch keys create --role recruiter --name container-check | tail -n 1 | awk '{ print $NF }')
podman exec -i -e KEY="$secret_key" "$CTR" python - <<'EOF'
import json, os, urllib.request

body = {"title": "Medewerker facilitair", "skills": [{"text": "beheert de voorraad"},
        {"text": "ontvangt bezoekers bij de receptie"}, {"text": "zet vergaderzalen klaar"}]}
request = urllib.request.Request(
    "http://127.0.0.1:8000/v1/match", data=json.dumps(body).encode(), method="POST",
    headers={"content-type": "application/json", "authorization": f"Bearer {os.environ['KEY']}"})
with urllib.request.urlopen(request, timeout=60) as response:
    answer = json.load(response)
    assert response.status == 200, response.status
best = answer["matches"][0]
assert answer["matches"] and 0 <= best["coverage"] <= 1, answer
print(f"match: {len(answer['matches'])} programmes, best {best['programme']['crebo']} "
      f"{best['programme']['title']!r} coverage {best['coverage']:.2f}")
EOF

podman rm -f "$CTR" >/dev/null
printf '\ncontainer-check passed\n'
printf '  base image (debootstrap + import): %s s\n' "$base_seconds"
printf '  podman build:                      %s s\n' "$build_seconds"
printf '  image size:                        %s MB\n' "$((size_bytes / 1000000))"
printf '  podman run to /health 200:         %s s\n' "$healthy"
printf '  server process uid:                %s\n' "$server_uid"
