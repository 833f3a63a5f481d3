#!/usr/bin/env bash
# Builds Finetide's local base image from Debian packages, without a Docker daemon or a registry: debootstrap
# (minbase variant) of Debian 12 with the Java 17 runtime, a non-root user 185, then the root filesystem as one layer
# of a `docker save`-format tarball that Jib reads as a `tar://` base (deploy/launcher: ServiceImages).
# Usage: base-image.sh OUT_DIR   (writes OUT_DIR/finetide-base.tar; needs root for debootstrap's chroot)
# For real clusters, any image with a Java 17 runtime, glibc and libstdc++ works (e.g. eclipse-temurin:17-jre);
# see k8s/README.md (Images).
set -euo pipefail
out="$1"
suite="${FINETIDE_BASE_SUITE:-bookworm}"
mirror="${FINETIDE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates,libstdc++6 "$suite" "$rootfs" "$mirror" >&2
# What only the build needed, and what would differ from one build to the next.
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/tmp/* \
  "$rootfs"/debootstrap
# The services run as 185 (as Quarkus's own images do), which owns nothing but what the pod mounts.
echo "finetide:x:185:185:Finetide:/deployments:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
echo "finetide:x:185:" >> "$rootfs/etc/group"
mkdir -p "$rootfs/deployments"
chown 185:185 "$rootfs/deployments"

image="$work/image"
mkdir -p "$image"
tar --numeric-owner --sort=name --mtime=@0 --xattrs -C "$rootfs" -cf "$image/layer.tar" .
diff_id="sha256:$(sha256sum "$image/layer.tar" | cut -d' ' -f1)"
java_home="/usr/lib/jvm/java-17-openjdk-amd64"
cat > "$image/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"185","Env":["PATH=$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"],"WorkingDir":"/deployments"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/images/base-image.sh: debootstrap $suite minbase + openjdk-17-jre-headless"}]}
JSON
cat > "$image/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["finetide/base:17-$suite"],"Layers":["layer.tar"]}]
JSON
mkdir -p "$out"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$image" -cf "$out/finetide-base.tar" \
  manifest.json config.json layer.tar
echo "$out/finetide-base.tar"
