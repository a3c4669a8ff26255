#!/usr/bin/env bash
# Installs the Debian packages the lab and the terminal tests need, when any is missing (root only).
set -euo pipefail
need=()
command -v etcd >/dev/null || need+=(etcd-server)
command -v etcdctl >/dev/null || need+=(etcd-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
command -v tmux >/dev/null || need+=(tmux)
command -v openssl >/dev/null || need+=(openssl)
command -v script >/dev/null || need+=(bsdutils)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
command -v dig >/dev/null || need+=(bind9-dnsutils)
command -v perl >/dev/null || need+=(perl)
command -v gawk >/dev/null || need+=(gawk) # the LVM/lsblk shims' awk programs (mawk lacks what they use)
command -v setpriv >/dev/null || need+=(util-linux)
command -v sudo >/dev/null || need+=(sudo)
[ -x /usr/sbin/haproxy ] || need+=(haproxy) # the lb host's `haproxy -c -f` (test/lab/shims/haproxy)
command -v ansible-inventory >/dev/null || need+=(ansible-core) # YAML inventories are read through ansible-inventory --list
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "lab: missing Debian packages: ${need[*]}. Install them as root (apt-get install ${need[*]}) or run the tests as root." >&2
  exit 1
fi
echo "lab: installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
