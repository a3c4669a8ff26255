#!/usr/bin/env bash
# Prints the path of a kubectl 1.20 (Debian's kubernetes-client, the client the lab's `oc` wrapper is
# faithful to). Uses $LAB_KUBECTL or `kubectl` on PATH when either is 1.20; otherwise unpacks Debian's
# package into .lab/tools/ of this repository (it is not installed system-wide: on some machines another
# package owns /usr/bin/kubectl).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
is120() { [ -x "$1" ] && "$1" version --client --short 2>/dev/null | grep -q 'v1\.20\.'; }
for k in "${LAB_KUBECTL:-}" "$(command -v kubectl || true)" "$repo/.lab/tools/kubernetes-client/usr/bin/kubectl"; do
  [ -n "$k" ] && is120 "$k" && { echo "$k"; exit 0; }
done
tools=$repo/.lab/tools
mkdir -p "$tools"
cd "$tools"
rm -f kubernetes-client_*.deb
if ! apt-get download kubernetes-client >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get download kubernetes-client >/dev/null 2>&1 || { echo "lab: cannot download Debian's kubernetes-client (kubectl 1.20)" >&2; exit 1; }
fi
rm -rf kubernetes-client
dpkg-deb -x kubernetes-client_*.deb kubernetes-client
rm -f kubernetes-client_*.deb
is120 "$tools/kubernetes-client/usr/bin/kubectl" || { echo "lab: the unpacked kubernetes-client is not kubectl 1.20" >&2; exit 1; }
echo "$tools/kubernetes-client/usr/bin/kubectl"
