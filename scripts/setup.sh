#!/usr/bin/env bash
# Installs the system libraries Tandem links against (OpenBLAS, GSL, zlib, Open MPI, pkg-config) when
# missing; openmpi-bin brings `mpirun`, which the distributed tests use to start two ranks.
# Safe to run repeatedly: it does nothing when everything is present.
set -euo pipefail

packages=(libopenblas-dev libgsl-dev zlib1g-dev libopenmpi-dev openmpi-bin pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing system packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
