# Sourced by the lab shims (not a command). The shims are the only simulated parts of a lab host:
# they act on the host whose mount namespace they run in; /run/lab (a bind mount of the host's own
# run dir) says which host that is.
LAB_RUN=/run/lab
if [ ! -r "$LAB_RUN/host.env" ]; then
  echo "${0##*/}: this is a day2-tui lab shim; run it on a lab host (no $LAB_RUN/host.env here)" >&2
  exit 1
fi
# shellcheck disable=SC1091
. "$LAB_RUN/host.env"
JOURNAL_DIR=/var/log/journal
UNITS_RUN=$LAB_RUN/units      # per-unit state: <unit>.state, .since, .result, .pid
LOADED=$LAB_RUN/loaded        # the unit definitions as of the last daemon-reload
mkdir -p "$JOURNAL_DIR" "$UNITS_RUN" "$LOADED"

# unit name -> foo.service
unit_name() { case $1 in *.service) echo "$1" ;; *.*) echo "$1" ;; *) echo "$1.service" ;; esac; }
# the units whose processes the shims really run; all others are state-only
is_real_unit() { [ "$1" = etcd.service ]; }

# jlog UNIT IDENT PID MESSAGE... : a systemd-style journal line for the unit
jlog() {
  local unit=$1 ident=$2 pid=$3; shift 3
  printf '@@ %s %s[%s]: %s\n' "$(LC_ALL=C date '+%b %d %H:%M:%S')" "$ident" "$pid" "$*" >>"$JOURNAL_DIR/$unit.log"
}

# P_STATE / P_START of a pid (fails when the pid does not exist)
proc_info() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  P_STATE=$1 P_START=${20}
}
# alive PID STARTTIME: the very process we started is still running (not a zombie, not a reused pid)
alive() { proc_info "$1" && [ "$P_STATE" != Z ] && [ "$P_START" = "$2" ]; }

# split_words STRING -> WORDS array: systemd-like quoting ("..." '...' \x), no expansion
split_words() {
  local s=$1 i=0 c w='' inw=0 q=''
  WORDS=()
  while ((i < ${#s})); do
    c=${s:i:1}
    if [ -n "$q" ]; then
      if [ "$c" = "$q" ]; then q=''
      elif [ "$c" = '\' ] && [ "$q" = '"' ]; then i=$((i + 1)); w+=${s:i:1}
      else w+=$c; fi
    else
      case $c in
        ' ' | $'\t') if ((inw)); then WORDS+=("$w"); w=''; inw=0; fi ;;
        '"' | "'") q=$c; inw=1 ;;
        '\') i=$((i + 1)); w+=${s:i:1}; inw=1 ;;
        *) w+=$c; inw=1 ;;
      esac
    fi
    i=$((i + 1))
  done
  if ((inw)); then WORDS+=("$w"); fi
  return 0
}

# unit_sources UNIT: the fragment, then the drop-ins in the order systemd applies them
unit_sources() {
  local u=$1 d f n
  if [ -f "/etc/systemd/system/$u" ]; then echo "/etc/systemd/system/$u"
  elif [ -f "/usr/lib/systemd/system/$u" ]; then echo "/usr/lib/systemd/system/$u"
  else return 1; fi
  local -A seen=()
  for d in "/etc/systemd/system/$u.d" "/usr/lib/systemd/system/$u.d"; do
    for f in "$d"/*.conf; do
      [ -f "$f" ] || continue
      n=${f##*/}
      [ -n "${seen[$n]:-}" ] || seen[$n]=$f
    done
  done
  if [ ${#seen[@]} -gt 0 ]; then
    printf '%s\n' "${!seen[@]}" | LC_ALL=C sort | while IFS= read -r n; do echo "${seen[$n]}"; done
  fi
}

# unit_signature UNIT: what the unit looks like on disk now (paths and contents)
unit_signature() {
  local f
  { unit_sources "$1" | while IFS= read -r f; do echo "== $f"; cat "$f"; done; } | sha256sum | cut -d' ' -f1
}

# unit_compute UNIT: parse the files on disk into U_* variables (drop-ins applied like systemd)
unit_compute() {
  local u=$1 f line next sect key val
  U_ID=$u U_DESC=$u U_FRAGMENT='' U_TYPE=simple U_USER='' U_GROUP='' U_WORKDIR='' U_RESTART=no U_WANTEDBY=''
  U_DROPINS=() U_EXECSTART=() U_ENVFILES=() U_ENVS=()
  local -a files
  mapfile -t files < <(unit_sources "$u") || true
  [ ${#files[@]} -gt 0 ] || return 1
  U_FRAGMENT=${files[0]}
  U_DROPINS=("${files[@]:1}")
  for f in "${files[@]}"; do
    sect=''
    while IFS= read -r line || [ -n "$line" ]; do
      while [[ $line == *\\ ]] && IFS= read -r next; do line="${line%\\} $next"; done
      line="${line#"${line%%[![:space:]]*}"}"
      case $line in '' | '#'* | ';'*) continue ;; '['*']') sect=${line:1:${#line}-2}; continue ;; esac
      [[ $line == *=* ]] || continue
      key=${line%%=*} val=${line#*=}
      key="${key%"${key##*[![:space:]]}"}"
      val="${val#"${val%%[![:space:]]*}"}"
      case $sect.$key in
        Unit.Description) U_DESC=$val ;;
        Service.Type) U_TYPE=$val ;;
        Service.User) U_USER=$val ;;
        Service.Group) U_GROUP=$val ;;
        Service.WorkingDirectory) U_WORKDIR=$val ;;
        Service.Restart) U_RESTART=$val ;;
        Service.ExecStart) if [ -z "$val" ]; then U_EXECSTART=(); else U_EXECSTART+=("$val"); fi ;;
        Service.EnvironmentFile) if [ -z "$val" ]; then U_ENVFILES=(); else U_ENVFILES+=("$val"); fi ;;
        Service.Environment) if [ -z "$val" ]; then U_ENVS=(); else U_ENVS+=("$val"); fi ;;
        Install.WantedBy) U_WANTEDBY=$val ;;
      esac
    done <"$f"
  done
  U_SIG=$(unit_signature "$u")
}

# unit_snapshot UNIT: what daemon-reload does for one unit
unit_snapshot() {
  if unit_compute "$1"; then
    declare -p U_ID U_DESC U_FRAGMENT U_TYPE U_USER U_GROUP U_WORKDIR U_RESTART U_WANTEDBY \
      U_DROPINS U_EXECSTART U_ENVFILES U_ENVS U_SIG | sed 's/^declare -/declare -g -/' >"$LOADED/$1.tmp" &&
      mv "$LOADED/$1.tmp" "$LOADED/$1"
  else
    rm -f "$LOADED/$1"
  fi
}

# unit_load UNIT: the unit as systemd knows it (loaded at the last daemon-reload; a unit never
# loaded is read from disk on demand, like systemd does). Fails when the unit does not exist.
unit_load() {
  if [ -f "$LOADED/$1" ]; then
    # shellcheck disable=SC1090
    . "$LOADED/$1"
  else
    unit_sources "$1" >/dev/null 2>&1 || return 1
    unit_snapshot "$1"
    # shellcheck disable=SC1090
    . "$LOADED/$1"
  fi
  U_ENABLED_LINK=/etc/systemd/system/${U_WANTEDBY:-multi-user.target}.wants/$1
}

# unit_changed UNIT: the files on disk differ from what was loaded at the last daemon-reload
unit_changed() { [ -f "$LOADED/$1" ] && [ "$(unit_signature "$1")" != "$U_SIG" ]; }
