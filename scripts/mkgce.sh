#!/usr/bin/env bash
# Packs a raw disk image the way Google Compute Engine imports one: a file
# named disk.raw whose size is a whole number of GiB, in a gzip'd tar in
# the old GNU format, sparse (the zeros past the partition cost nothing).
# usage: scripts/mkgce.sh DISK.raw OUT.tar.gz
set -euo pipefail
disk=$1 out=$2
gib=$((1024 * 1024 * 1024))
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp --sparse=always "$disk" "$stage/disk.raw"
size=$(stat -c %s "$disk")
truncate -s $(((size + gib - 1) / gib * gib)) "$stage/disk.raw"
tar --format=oldgnu -Sczf "$out" -C "$stage" disk.raw
