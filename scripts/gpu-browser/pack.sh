#!/usr/bin/env bash
# Packs headless Chromium for a GPU machine that has Python but no Node (and
# no network), so the islands' input latency can be measured there in a
# browser, on WebGPU on that machine's GPU. Run it here, on Debian 12 with
# apt and Chromium installed (as .ci/run leaves it), after `npm run build`:
#
#   scripts/gpu-browser/pack.sh
#
# It writes two folders, each under a 64 MiB transfer:
#   .gpu-browser/shell/  Debian's chromium-headless-shell binary, xz (~56 MB)
#   .gpu-browser/kit/    its data files, the libraries it links (taken from
#                        this machine), a font and a fontconfig (~21 MB), and
#                        libglvnd with the Vulkan loader, which NVIDIA's Vulkan
#                        driver needs (Ubuntu's CUDA images lack them)
# What to run on the GPU machine is in run.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/.gpu-browser
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ -d "$ROOT/dist" ] || { echo "No dist/ folder: run npm run build first." >&2; exit 2; }

rm -rf "$OUT"
mkdir -p "$OUT/shell" "$OUT/kit/gl" "$WORK/kit/chrome" "$WORK/kit/lib" "$WORK/kit/fonts"
cd "$WORK"
# apt's sandbox user cannot write to a folder of root's: the download says so and goes on as root.
apt-get download chromium-headless-shell chromium-common 2>/dev/null
(cd "$OUT/kit/gl" && apt-get download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 2>/dev/null)
for deb in chromium-*.deb; do dpkg -x "$deb" x; done
C=x/usr/lib/chromium
SHELL_BIN=$C/chromium-headless-shell

echo "Compressing the headless shell (a few minutes)..."
xz -9e -T0 -c "$SHELL_BIN" > "$OUT/shell/chromium-headless-shell.xz"

cp "$C"/headless_*.pak "$C"/icudtl.dat "$C"/v8_context_snapshot.bin "$C"/snapshot_blob.bin \
  "$C"/libvulkan.so.1 "$C"/libvk_swiftshader.so "$C"/vk_swiftshader_icd.json "$C"/libEGL.so "$C"/libGLESv2.so kit/chrome/
# Every library the shell links, as resolved here, but the C runtime's own (the GPU machine's newer ones serve).
missing=$(ldd "$SHELL_BIN" | awk '/not found/ {print $1}')
[ -z "$missing" ] || { echo "Libraries the headless shell needs are not installed here: $missing (apt-get install chromium)" >&2; exit 1; }
ldd "$SHELL_BIN" | awk '$3 ~ /^\// {print $3}' \
  | grep -vE '/(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+|ld-linux[^/]*)\.so' \
  | while read -r lib; do cp -L "$lib" kit/lib/; done
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf \
  /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf kit/fonts/
# Without a fontconfig Skia finds no font and the page aborts; run.sh unpacks the kit to /tmp/gpu-browser.
cat > kit/fonts/fonts.conf <<'XML'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/tmp/gpu-browser/fonts</dir><cachedir>/tmp/gpu-browser/fontcache</cachedir></fontconfig>
XML
XZ_OPT='-9 -T0' tar -C kit -cJf "$OUT/kit/kit.tar.xz" .
du -sh "$OUT/shell" "$OUT/kit"
