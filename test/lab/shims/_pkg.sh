# Sourced by the lab's rpm and yum shims (not a command): the host's installed packages. Each host has
# its own list, /run/lab/rpm-packages.txt, made on first use from the fixed list of an OCP 3.10 RHEL 7
# host (rpm-packages.txt next to the shims) — without etcd on a host that was not an etcd member when the
# lab started, and without rng-tools (in the "repository" only: fix-entropy installs it) — and changed by
# `yum install` / `yum remove`.
PKG_FIXED=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/rpm-packages.txt
PKG_LIST=$LAB_RUN/rpm-packages.txt

# pkg_list: prints the path of this host's list (made on first use)
pkg_list() {
  if [ ! -f "$PKG_LIST" ]; then
    case ,${LAB_ROLES:-}, in
      *,etcd,*) grep -v '^rng-tools-[0-9]' "$PKG_FIXED" >"$PKG_LIST.tmp" ;;
      *) grep -v -e '^etcd-[0-9]' -e '^rng-tools-[0-9]' "$PKG_FIXED" >"$PKG_LIST.tmp" ;;
    esac
    mv "$PKG_LIST.tmp" "$PKG_LIST"
  fi
  echo "$PKG_LIST"
}

# pkg_installed NAME: prints the installed NVRA (fails when not installed)
pkg_installed() { grep -E "^${1//./\\.}-[0-9]" "$(pkg_list)"; }
# pkg_available NAME: prints the NVRA the lab's "repository" has (fails when there is none)
pkg_available() { grep -E "^${1//./\\.}-[0-9]" "$PKG_FIXED"; }
