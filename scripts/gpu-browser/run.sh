#!/usr/bin/env bash
# On the GPU machine, in the repository's root, with what pack.sh made here
# carried there. Two steps, in two calls close together (the folders are too
# big for one transfer; the first leaves the browser in /tmp for the second):
#
#   scripts/gpu-browser/run.sh shell    carrying .gpu-browser/shell
#   scripts/gpu-browser/run.sh bench    carrying .gpu-browser/kit and dist
#
# `bench` takes drive.py's options after it (--flags NAME, --rounds N); it
# writes results.json and the browser's logs to $OUT (or ./gpu-browser-out).
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=/tmp/gpu-browser
case "${1:-}" in
  shell)
    mkdir -p "$DEST/chrome"
    xz -dc .gpu-browser/shell/chromium-headless-shell.xz > "$DEST/chrome/chromium-headless-shell"
    chmod +x "$DEST/chrome/chromium-headless-shell"
    echo "headless shell in $DEST/chrome"
    ;;
  bench)
    shift
    [ -x "$DEST/chrome/chromium-headless-shell" ] || { echo "No headless shell in $DEST: run the shell step first, on this machine." >&2; exit 3; }
    for deb in .gpu-browser/kit/gl/*.deb; do dpkg -x "$deb" /; done
    ldconfig
    tar -C "$DEST" -xJf .gpu-browser/kit/kit.tar.xz
    # NVIDIA's Vulkan and EGL drivers where the container mounts them; elsewhere the loader looks in its usual places.
    icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    if [ -e $icd ]; then export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd; fi
    if [ -e $egl ]; then export __EGL_VENDOR_LIBRARY_FILENAMES=$egl; fi
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
    export LD_LIBRARY_PATH=$DEST/lib FONTCONFIG_FILE=$DEST/fonts/fonts.conf HOME=/tmp PYTHONUNBUFFERED=1
    "$DEST/chrome/chromium-headless-shell" --version
    python3 scripts/gpu-browser/drive.py --chrome "$DEST/chrome/chromium-headless-shell" --out "${OUT:-gpu-browser-out}" "$@"
    ;;
  *)
    echo "usage: $0 shell | bench [drive.py options]" >&2
    exit 2
    ;;
esac
