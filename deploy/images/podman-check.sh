#!/usr/bin/env bash
# Starts one service image (default: ingestion) with Podman as a pod would run it (read-only root, uid 185, no
# capabilities, no privilege escalation, a tmpfs /tmp) against a broker and a store on this host, and waits until it
# is ready. Usage: podman-check.sh SERVICE BOOTSTRAP MONGODB_URI PORT   (after ./finetide images)
# On hosts with cgroup v1 mounts and no CAP_SYS_RESOURCE (like the CI machines), crun refuses to start containers;
# runc with the cgroupfs manager and rlimits at or below the host's own works, hence the flags below.
set -euo pipefail
service="${1:-ingestion}" bootstrap="${2:-127.0.0.1:9092}" mongo="${3:-mongodb://127.0.0.1:27017}" port="${4:-28091}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
podman load -i "$root/.run/images/$service.tar" >/dev/null
podman rm -f "finetide-$service-check" >/dev/null 2>&1 || true
runtime=(--runtime runc --cgroup-manager cgroupfs)
podman "${runtime[@]}" run -d --name "finetide-$service-check" --network host \
  --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096 \
  --read-only --tmpfs /tmp --user 185 --cap-drop ALL --security-opt no-new-privileges \
  -e KAFKA_BOOTSTRAP_SERVERS="$bootstrap" -e QUARKUS_MONGODB_CONNECTION_STRING="$mongo" \
  -e QUARKUS_HTTP_PORT="$port" -e FINETIDE_TOPICS_CREATE=true "localhost/finetide/$service:0.1.0" >/dev/null
start=$(date +%s)
until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" == 200 ]]; do
  if (( $(date +%s) - start > 180 )); then podman logs "finetide-$service-check" | tail -20; exit 1; fi
  sleep 1
done
echo "finetide/$service ready in $(( $(date +%s) - start )) s as $(podman exec "finetide-$service-check" id -u)"
podman rm -f "finetide-$service-check" >/dev/null
