# Sourced by the lab's LVM shims (lvs, vgs, pvs, lvremove, vgremove, pvremove), docker-storage-setup,
# lsblk, wipefs and the docker shim (after _lib.sh). Not a command.
#
# A lab host's disks are simulated by two files of its own run dir (/run/lab = DIR/hosts/NAME/run):
#   /run/lab/disks      the "hardware", one block device a line:  NAME TYPE SIZE_BYTES PARENT
#                       e.g. "/dev/xvdb disk 26843545600 -" and "/dev/xvdb1 part 26842497024 /dev/xvdb".
#                       A test attaches a disk by adding a line, or grows one by changing its size.
#   /run/lab/lvm.state  the LVM metadata, one object a line:
#                         pv NAME VG|- DEV_SIZE_BYTES           (- : a PV in no volume group)
#                         vg NAME EXTENT_BYTES
#                         lv VG NAME linear|thin-pool|pmspare EXTENTS [META_EXTENTS]
# PVs start their data 1 MiB into the device (LVM's default pe_start); LVs take their extents from their
# VG's PVs in file order. A linear LV's filesystem, when mounted, is a tmpfs whose source is the LV's
# /dev/mapper name, so findmnt, mountpoint, umount and df see it like the real one (its content does
# not survive an unmount). A thin pool is in use while the docker daemon runs on it (docker info's
# Pool Name). Messages and exit codes are LVM2 2.02.177's (RHEL 7.5); the report tables are formatted
# as LVM prints them (units "r": two decimals, "<" when rounded up).
LVM_SHIMS=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
LVM_DISKS=$LAB_RUN/disks
LVM_STATE=$LAB_RUN/lvm.state
LVM_EXTENT=4194304
LVM_MIB=1048576
[ -f "$LVM_DISKS" ] || : >"$LVM_DISKS"
[ -f "$LVM_STATE" ] || : >"$LVM_STATE"

lvm_err() { echo "  $*" >&2; }   # LVM prints its messages indented by two spaces
lvm_say() { echo "  $*"; }

# serialises the commands that change the state (one at a time per host, like LVM's global lock)
lvm_lock() { exec 8>"$LAB_RUN/lvm.lock"; flock 8; }

# ---- block devices -----------------------------------------------------------------------------------
_disk_field() { awk -v n="$1" -v f="$2" '/^[[:space:]]*(#|$)/ { next } $1 == n { print $f; found = 1; exit } END { exit !found }' "$LVM_DISKS"; }
dev_exists() { _disk_field "$1" 1 >/dev/null; }
dev_type() { _disk_field "$1" 2; }
dev_size() { _disk_field "$1" 3; }
dev_parent() { _disk_field "$1" 4; }
dev_children() { awk -v p="$1" '/^[[:space:]]*(#|$)/ { next } $4 == p { print $1 }' "$LVM_DISKS"; }
# the N-th partition's name (nvme0n1 → nvme0n1p1, xvdb → xvdb1)
part_name() { case $1 in *[0-9]) echo "${1}p$2" ;; *) echo "$1$2" ;; esac; }
disk_add_partition() { # DISK: one partition over the whole disk (parted 0% 100%: starts at 1 MiB)
  local size part
  size=$(dev_size "$1") part=$(part_name "$1" 1)
  echo "$part part $((size - LVM_MIB)) $1" >>"$LVM_DISKS"
  echo "$part"
}
disk_remove_partitions() { # DISK
  awk -v p="$1" '$4 != p' "$LVM_DISKS" >"$LVM_DISKS.tmp" && mv "$LVM_DISKS.tmp" "$LVM_DISKS"
}

# ---- LVM objects ------------------------------------------------------------------------------------
pv_vg() { awk -v n="$1" '$1 == "pv" && $2 == n { print $3; f = 1; exit } END { exit !f }' "$LVM_STATE"; }
vg_exists() { awk -v n="$1" '$1 == "vg" && $2 == n { f = 1; exit } END { exit !f }' "$LVM_STATE"; }
vg_pvs() { awk -v n="$1" '$1 == "pv" && $3 == n { print $2 }' "$LVM_STATE"; }
vg_lvs() { awk -v n="$1" '$1 == "lv" && $2 == n && $4 != "pmspare" { print $3 }' "$LVM_STATE"; }
lv_exists() { awk -v v="$1" -v n="$2" '$1 == "lv" && $2 == v && $3 == n && $4 != "pmspare" { f = 1; exit } END { exit !f }' "$LVM_STATE"; }
lv_segtype() { awk -v v="$1" -v n="$2" '$1 == "lv" && $2 == v && $3 == n { print $4; exit }' "$LVM_STATE"; }
lv_extents() { awk -v v="$1" -v n="$2" '$1 == "lv" && $2 == v && $3 == n { print $5; exit }' "$LVM_STATE"; }
# device-mapper name of VG/LV: each '-' doubled, then VG-LV
dm_name() { echo "${1//-/--}-${2//-/--}"; }
# VG/LV of a /dev/mapper name (prints nothing when no LV has it)
dm_lv() {
  local v n
  while read -r _ v n _; do
    [ "$(dm_name "$v" "$n")" = "$1" ] && { echo "$v/$n"; return 0; }
  done < <(awk '$1 == "lv"' "$LVM_STATE")
  return 1
}
# where VG/LV's filesystem is mounted (its tmpfs stand-in), one mount point a line
lv_mountpoints() {
  awk -v src="/dev/mapper/$(dm_name "$1" "$2")" '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 2) == src) print $5; break } }' /proc/self/mountinfo
}
pool_in_use() { "$LVM_SHIMS/docker" info 2>/dev/null | grep -qx " Pool Name: $(dm_name "$1" "$2")"; }
# why VG/LV cannot be removed now (nothing when it can)
lv_busy() {
  case $(lv_segtype "$1" "$2") in
    linear) [ -z "$(lv_mountpoints "$1" "$2")" ] || echo "Logical volume $1/$2 contains a filesystem in use." ;;
    thin-pool) if pool_in_use "$1" "$2"; then echo "Logical volume $1/$2 is used by another device."; fi ;;
  esac
}
# VG sizes in extents: "SIZE FREE"
vg_extents() {
  awk -v vg="$1" -v ext="$LVM_EXTENT" -v mib="$LVM_MIB" '
    $1 == "pv" && $3 == vg { size += int(($4 - mib) / ext) }
    $1 == "lv" && $2 == vg { used += $5 + ($4 == "thin-pool" ? $6 : 0) }
    END { print size + 0, size - used }' "$LVM_STATE"
}
state_drop() { # AWK-CONDITION: removes the matching lines
  awk "!($1)" "$LVM_STATE" >"$LVM_STATE.tmp" && mv "$LVM_STATE.tmp" "$LVM_STATE"
}

# lv_args ARG...: VG/LV, /dev/VG/LV or /dev/mapper/NAME → "VG LV" lines; a bare VG → all its LVs.
# Prints LVM's message for the ones that do not exist and returns 5 then.
lv_args() {
  local a vg lv rc=0 x
  for a in "$@"; do
    case $a in
      /dev/mapper/*) x=$(dm_lv "${a#/dev/mapper/}") || { lvm_err "Failed to find logical volume \"${a#/dev/mapper/}\""; rc=5; continue; }; a=$x ;;
      /dev/*) a=${a#/dev/} ;;
    esac
    if [[ $a == */* ]]; then
      vg=${a%%/*} lv=${a#*/}
      if [[ $lv == */* ]]; then lvm_err "\"$a\": Invalid path for Logical Volume."; rc=5; continue; fi
      if ! vg_exists "$vg"; then lvm_err "Volume group \"$vg\" not found"; lvm_err "Cannot process volume group $vg"; rc=5; continue; fi
      if ! lv_exists "$vg" "$lv"; then lvm_err "Failed to find logical volume \"$vg/$lv\""; rc=5; continue; fi
      echo "$vg $lv"
    else
      if ! vg_exists "$a"; then lvm_err "Volume group \"$a\" not found"; lvm_err "Cannot process volume group $a"; rc=5; continue; fi
      for lv in $(vg_lvs "$a"); do echo "$a $lv"; done
    fi
  done
  return $rc
}

# yes_no PROMPT: LVM's yes_no_prompt on stdin; "[n]" on end of input (no terminal over ssh)
yes_no() {
  local answer
  printf '%s' "$1" >&2
  if ! IFS= read -r answer; then printf '[n]\n' >&2; return 1; fi
  case $answer in [yY]*) return 0 ;; *) return 1 ;; esac
}

# lv_remove VG LV PROMPT(0|1): lvremove of one LV, with LVM's messages; 5 when not removed
lv_remove() {
  local vg=$1 lv=$2 prompt=$3 why type
  why=$(lv_busy "$vg" "$lv")
  if [ -n "$why" ]; then lvm_err "$why"; return 5; fi
  if [ "$prompt" = 1 ] && ! yes_no "Do you really want to remove active logical volume $vg/$lv? [y/n]: "; then
    lvm_err "Logical volume $vg/$lv not removed."
    return 5
  fi
  type=$(lv_segtype "$vg" "$lv")
  state_drop "\$1 == \"lv\" && \$2 == \"$vg\" && \$3 == \"$lv\""
  # the pool metadata spare goes with the VG's last thin pool
  if [ "$type" = thin-pool ] && ! awk -v v="$vg" '$1 == "lv" && $2 == v && $4 == "thin-pool" { f = 1 } END { exit !f }' "$LVM_STATE"; then
    state_drop "\$1 == \"lv\" && \$2 == \"$vg\" && \$4 == \"pmspare\""
  fi
  lvm_say "Logical volume \"$lv\" successfully removed"
}

# ---- creation (docker-storage-setup) ------------------------------------------------------------------
pv_create() { # DEV
  state_drop "\$1 == \"pv\" && \$2 == \"$1\""
  echo "pv $1 - $(dev_size "$1")" >>"$LVM_STATE"
  lvm_say "Physical volume \"$1\" successfully created."
}
vg_create() { # VG PV...
  local vg=$1 pv; shift
  echo "vg $vg $LVM_EXTENT" >>"$LVM_STATE"
  for pv in "$@"; do awk -v p="$pv" -v v="$vg" '$1 == "pv" && $2 == p { $3 = v } { print }' "$LVM_STATE" >"$LVM_STATE.tmp" && mv "$LVM_STATE.tmp" "$LVM_STATE"; done
  lvm_say "Volume group \"$vg\" successfully created"
}
vg_extend() { # VG PV...
  local vg=$1 pv; shift
  for pv in "$@"; do awk -v p="$pv" -v v="$vg" '$1 == "pv" && $2 == p { $3 = v } { print }' "$LVM_STATE" >"$LVM_STATE.tmp" && mv "$LVM_STATE.tmp" "$LVM_STATE"; done
  lvm_say "Volume group \"$vg\" successfully extended"
}
# lv_size_extents SPEC VG: lvcreate's -l N%FREE|N%VG or -L SIZE, in extents (prints nothing when invalid)
lv_size_extents() {
  local spec=$1 size free n u
  read -r size free < <(vg_extents "$2")
  case $spec in
    *%FREE) n=${spec%\%FREE}; [[ $n =~ ^[0-9]+$ ]] && echo $((free * n / 100)) ;;
    *%VG) n=${spec%\%VG}; [[ $n =~ ^[0-9]+$ ]] && echo $((size * n / 100)) ;;
    *)
      [[ $spec =~ ^([0-9]+)([kKmMgGtT]?)$ ]] || return 0
      n=${BASH_REMATCH[1]} u=${BASH_REMATCH[2],,}
      case $u in k) n=$((n * 1024)) ;; '' | m) n=$((n * LVM_MIB)) ;; g) n=$((n * 1024 * LVM_MIB)) ;; t) n=$((n * 1024 * 1024 * LVM_MIB)) ;; esac
      echo $(((n + LVM_EXTENT - 1) / LVM_EXTENT)) ;;
  esac
}

# ---- reports: vgs / pvs / lvs -------------------------------------------------------------------------
LVM_REPORT_AWK='
function sortk(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
function rint(d) { return sprintf("%.0f", d) + 0 }
function fsize(b,   c, base, U, s, sfx, prec, pre, d, idx) {
  c = substr(UNITS, 1, 1)
  if (c == "h" || c == "r" || c == "H" || c == "R") {
    if (b == 0) return NOSUFFIX ? "0" : "0 "
    base = (c == "H" || c == "R") ? 1000 : 1024
    U = base ^ 6
    for (s = 1; s < 7 && b < U; s++) U = U / base
    sfx = substr("eptgmkb", s, 1); if (base == 1000) sfx = toupper(sfx)
    prec = (s == 7) ? 0 : 2
    pre = ""
    if (c == "r" || c == "R") { d = 100 * b / U; if (int(d) != rint(d)) pre = "<" }
    return pre sprintf("%." prec "f", b / U) (NOSUFFIX ? "" : sfx)
  }
  if (c == "b" || c == "B") { U = 1; sfx = "B"; prec = 0 }
  else if (c == "s" || c == "S") { U = 512; sfx = "S"; prec = 0 }
  else if ((idx = index("kmgtpe", c)) > 0) { U = 1024 ^ idx; sfx = c; prec = 2 }
  else if ((idx = index("KMGTPE", c)) > 0) { U = 1000 ^ idx; sfx = c; prec = 2 }
  else { U = 1; sfx = "B"; prec = 0 }
  if (b == 0) return "0" (NOSUFFIX ? "" : sfx)
  return sprintf("%." prec "f", b / U) (NOSUFFIX ? "" : sfx)
}
function dmname(v, l,   a, b) { a = v; b = l; gsub(/-/, "--", a); gsub(/-/, "--", b); return a "-" b }
function err(m) { printf "  %s\n", m | "cat 1>&2"; RC = 5 }
BEGIN {
  EXT = 4194304; MIB = 1048576
  # field: header, type (s string, n number, z size)
  split("vg_name:VG:s pv_count:#PV:n lv_count:#LV:n snap_count:#SN:n vg_attr:Attr:s vg_size:VSize:z vg_free:VFree:z vg_extent_size:Ext:z vg_extent_count:#Ext:n vg_free_count:Free:n vg_fmt:Fmt:s", A, " ")
  for (i in A) { split(A[i], pp, ":"); HDR[pp[1]] = pp[2]; TYP[pp[1]] = pp[3]; VGF[pp[1]] = 1 }
  split("pv_name:PV:s pv_fmt:Fmt:s pv_attr:Attr:s pv_size:PSize:z pv_free:PFree:z pv_used:Used:z dev_size:DevSize:z pe_start:1st_PE:z pv_pe_count:PE:n pv_pe_alloc_count:Alloc:n", A, " ")
  for (i in A) { split(A[i], pp, ":"); h = pp[2]; gsub(/_/, " ", h); HDR[pp[1]] = h; TYP[pp[1]] = pp[3]; PVF[pp[1]] = 1 }
  split("lv_name:LV:s lv_full_name:LV:s lv_attr:Attr:s lv_size:LSize:z pool_lv:Pool:s origin:Origin:s data_percent:Data%:n metadata_percent:Meta%:n move_pv:Move:s mirror_log:Log:s copy_percent:Cpy%Sync:n convert_lv:Convert:s lv_path:Path:s lv_dm_path:DMPath:s segtype:Type:s devices:Devices:s", A, " ")
  for (i in A) { split(A[i], pp, ":"); HDR[pp[1]] = pp[2]; TYP[pp[1]] = pp[3]; LVF[pp[1]] = 1 }
  prefix = (KIND == "vgs") ? "vg_" : (KIND == "pvs") ? "pv_" : "lv_"
  nf = split(FIELDS, F, ",")
  for (i = 1; i <= nf; i++) {
    f = F[i]
    if (!(f in HDR) && ((prefix f) in HDR)) f = prefix f
    ok = (f in VGF) || (KIND == "pvs" && (f in PVF)) || (KIND == "lvs" && (f in LVF))
    if (!ok) { printf "  Unrecognised field: %s\n", F[i] | "cat 1>&2"; close("cat 1>&2"); BAD = 1; exit 5 }
    F[i] = f
  }
  nargs = split(ARGS, ARG, " ")
  nsel = split(SELECT, S, ",")
  for (i = 1; i <= nsel; i++) { split(S[i], pp, "="); SK[i] = pp[1]; SV[i] = pp[2]; if (!(SK[i] in HDR) && ((prefix SK[i]) in HDR)) SK[i] = prefix SK[i] }
  nopen = split(OPEN, O, " "); for (i = 1; i <= nopen; i++) ISOPEN[O[i]] = 1
}
/^[[:space:]]*(#|$)/ { next }
FILENAME == DISKS { DEVSZ[$1] = $3; next }
$1 == "pv" { npv++; PVN[npv] = $2; PVVG[$2] = $3; PVDEV[$2] = $4; next }
$1 == "vg" { nvg++; VGN[nvg] = $2; ISVG[$2] = 1; next }
$1 == "lv" { nlv++; LVVG[nlv] = $2; LVN[nlv] = $3; LVT[nlv] = $4; LVE[nlv] = $5; LVM[nlv] = $6 + 0; next }
END {
  if (BAD) exit 5
  # extents of each PV, then the LVs take them in order
  for (i = 1; i <= npv; i++) { p = PVN[i]; PE[p] = (PVVG[p] == "-") ? 0 : int((PVDEV[p] - MIB) / EXT); ALLOC[p] = 0 }
  for (j = 1; j <= nlv; j++) {
    need = LVE[j] + (LVT[j] == "thin-pool" ? LVM[j] : 0); first = ""
    for (i = 1; i <= npv && need > 0; i++) { p = PVN[i]; if (PVVG[p] != LVVG[j]) continue; take = PE[p] - ALLOC[p]; if (take > need) take = need; if (take > 0) { if (first == "") first = p "(" ALLOC[p] ")"; ALLOC[p] += take; need -= take } }
    LVDEV[j] = first
  }
  for (i = 1; i <= npv; i++) { p = PVN[i]; v = PVVG[p]; if (v == "-") continue; VPV[v]++; VSZ[v] += PE[p]; VFR[v] += PE[p] - ALLOC[p] }
  for (j = 1; j <= nlv; j++) if (LVT[j] != "pmspare") VLV[LVVG[j]]++
  # the rows
  n = 0
  if (KIND == "vgs") {
    for (i = 1; i <= nvg; i++) { key[++k] = VGN[i] } ; sortk(key, k)
    if (nargs) { for (a = 1; a <= nargs; a++) { x = ARG[a]; sub(/^\/dev\//, "", x); WANT[x] = 1; if (!(x in ISVG)) { err("Volume group \"" x "\" not found"); err("Cannot process volume group " x) } } }
    for (i = 1; i <= k; i++) { v = key[i]; if (nargs && !(v in WANT)) continue; n++; ROWVG[n] = v }
  } else if (KIND == "pvs") {
    for (i = 1; i <= npv; i++) key[++k] = PVN[i]; sortk(key, k)
    if (nargs) { for (a = 1; a <= nargs; a++) { x = ARG[a]; WANT[x] = 1; if (!(x in PVVG)) { if (x in DEVSZ) err("Failed to find physical volume \"" x "\"."); else err("Failed to find device for physical volume \"" x "\".") } } }
    for (i = 1; i <= k; i++) { p = key[i]; if (nargs && !(p in WANT)) continue; n++; ROWPV[n] = p; ROWVG[n] = (PVVG[p] == "-") ? "" : PVVG[p] }
  } else {
    for (j = 1; j <= nlv; j++) {
      if (LVT[j] == "pmspare" && !ALL) continue
      key[++k] = LVVG[j] SUBSEP LVN[j] SUBSEP j
    }
    sortk(key, k)
    if (nargs) for (a = 1; a <= nargs; a++) {
      x = ARG[a]; sub(/^\/dev\//, "", x)
      if (x ~ /\//) { split(x, q, "/"); WANTLV[q[1] SUBSEP q[2]] = 1; if (!(q[1] in ISVG)) { err("Volume group \"" q[1] "\" not found"); err("Cannot process volume group " q[1]) } else { f = 0; for (j = 1; j <= nlv; j++) if (LVVG[j] == q[1] && LVN[j] == q[2] && LVT[j] != "pmspare") f = 1; if (!f) err("Failed to find logical volume \"" q[1] "/" q[2] "\"") } }
      else { WANTVG[x] = 1; if (!(x in ISVG)) { err("Volume group \"" x "\" not found"); err("Cannot process volume group " x) } }
    }
    for (i = 1; i <= k; i++) {
      split(key[i], q, SUBSEP); j = q[3]
      if (nargs && !(LVVG[j] in WANTVG) && !((LVVG[j] SUBSEP LVN[j]) in WANTLV)) continue
      n++; ROWLV[n] = j; ROWVG[n] = LVVG[j]; ROWSUB[n] = ""
      if (ALL && LVT[j] == "thin-pool") { n++; ROWLV[n] = j; ROWVG[n] = LVVG[j]; ROWSUB[n] = "_tdata"; n++; ROWLV[n] = j; ROWVG[n] = LVVG[j]; ROWSUB[n] = "_tmeta" }
    }
  }
  # values
  rows = 0
  for (r = 1; r <= n; r++) {
    v = ROWVG[r]
    for (i = 1; i <= nf; i++) {
      f = F[i]; val = ""
      if (f == "vg_name") val = v
      else if (f == "pv_count") val = (v == "") ? "0" : VPV[v] + 0
      else if (f == "lv_count") val = (v == "") ? "0" : VLV[v] + 0
      else if (f == "snap_count") val = "0"
      else if (f == "vg_attr") val = (v == "") ? "" : "wz--n-"
      else if (f == "vg_fmt") val = (v == "") ? "" : "lvm2"
      else if (f == "vg_size") val = (v == "") ? "" : fsize(VSZ[v] * EXT)
      else if (f == "vg_free") val = (v == "") ? "" : fsize(VFR[v] * EXT)
      else if (f == "vg_extent_size") val = (v == "") ? "" : fsize(EXT)
      else if (f == "vg_extent_count") val = (v == "") ? "" : VSZ[v] + 0
      else if (f == "vg_free_count") val = (v == "") ? "" : VFR[v] + 0
      else if (KIND == "pvs") {
        p = ROWPV[r]; orphan = (PVVG[p] == "-")
        if (f == "pv_name") val = p
        else if (f == "pv_fmt") val = "lvm2"
        else if (f == "pv_attr") val = orphan ? "---" : "a--"
        else if (f == "pv_size") val = fsize(orphan ? PVDEV[p] : PE[p] * EXT)
        else if (f == "pv_free") val = fsize(orphan ? PVDEV[p] : (PE[p] - ALLOC[p]) * EXT)
        else if (f == "pv_used") val = fsize(ALLOC[p] * EXT)
        else if (f == "dev_size") val = fsize((p in DEVSZ) ? DEVSZ[p] : PVDEV[p])
        else if (f == "pe_start") val = fsize(MIB)
        else if (f == "pv_pe_count") val = PE[p] + 0
        else if (f == "pv_pe_alloc_count") val = ALLOC[p] + 0
      } else if (KIND == "lvs") {
        j = ROWLV[r]; sfx = ROWSUB[r]; t = LVT[j]; name = LVN[j]; op = ((LVVG[j] "/" LVN[j]) in ISOPEN)
        if (f == "lv_name") val = (sfx != "" || t == "pmspare") ? "[" name sfx "]" : name
        else if (f == "lv_full_name") val = LVVG[j] "/" name sfx
        else if (f == "lv_attr") {
          if (sfx == "_tdata") val = "Twi-ao----"; else if (sfx == "_tmeta") val = "ewi-ao----"
          else if (t == "pmspare") val = "ewi-------"
          else if (t == "thin-pool") val = op ? "twi-aot---" : "twi-a-t---"
          else val = op ? "-wi-ao----" : "-wi-a-----"
        }
        else if (f == "lv_size") val = fsize((sfx == "_tmeta" ? LVM[j] : LVE[j]) * EXT)
        else if (f == "data_percent") val = (t == "thin-pool" && sfx == "") ? "0.11" : ""
        else if (f == "metadata_percent") val = (t == "thin-pool" && sfx == "") ? "0.17" : ""
        else if (f == "lv_path") val = (sfx == "" && t != "pmspare") ? "/dev/" LVVG[j] "/" name : ""
        else if (f == "lv_dm_path") val = "/dev/mapper/" dmname(LVVG[j], name sfx)
        else if (f == "segtype") val = (t == "thin-pool" && sfx == "") ? "thin-pool" : "linear"
        else if (f == "devices") val = (t == "thin-pool" && sfx == "") ? name "_tdata(0)" : LVDEV[j]
      }
      VAL[r, i] = val
    }
    keep = 1
    for (s = 1; s <= nsel; s++) for (i = 1; i <= nf; i++) if (F[i] == SK[s] && VAL[r, i] != SV[s]) keep = 0
    if (nsel) { # a selection may name a field that is not shown
      for (s = 1; s <= nsel; s++) { shown = 0; for (i = 1; i <= nf; i++) if (F[i] == SK[s]) shown = 1
        if (!shown) { if (SK[s] == "pv_name" && KIND == "pvs") { if (ROWPV[r] != SV[s]) keep = 0 } else if (SK[s] == "vg_name") { if (ROWVG[r] != SV[s]) keep = 0 } else if (SK[s] == "lv_name" && KIND == "lvs") { if (LVN[ROWLV[r]] != SV[s]) keep = 0 } } }
    }
    if (keep) { rows++; for (i = 1; i <= nf; i++) OUT[rows, i] = VAL[r, i] }
  }
  # output
  if (NAMEPREFIXES) {
    for (r = 1; r <= rows; r++) { line = "  "; for (i = 1; i <= nf; i++) { u = toupper(F[i]); line = line (i > 1 ? " " : "") "LVM2_" u "=\047" OUT[r, i] "\047" }; print line }
  } else if (HASSEP && !ALIGNED) {
    if (!NOHEADINGS) { line = "  "; for (i = 1; i <= nf; i++) line = line (i > 1 ? SEP : "") HDR[F[i]]; print line }
    for (r = 1; r <= rows; r++) { line = "  "; for (i = 1; i <= nf; i++) line = line (i > 1 ? SEP : "") OUT[r, i]; print line }
  } else {
    gap = HASSEP ? SEP : " "
    for (i = 1; i <= nf; i++) { W[i] = NOHEADINGS ? 0 : length(HDR[F[i]]); for (r = 1; r <= rows; r++) if (length(OUT[r, i]) > W[i]) W[i] = length(OUT[r, i]) }
    if (!NOHEADINGS) { line = "  "; for (i = 1; i <= nf; i++) line = line (i > 1 ? gap : "") sprintf("%-" W[i] "s", HDR[F[i]]); print line }
    for (r = 1; r <= rows; r++) { line = "  "; for (i = 1; i <= nf; i++) line = line (i > 1 ? gap : "") sprintf("%" (TYP[F[i]] == "s" ? "-" : "") W[i] "s", OUT[r, i]); print line }
  }
  close("cat 1>&2")
  exit RC
}'

# lvm_report vgs|pvs|lvs ARG...: the report commands
lvm_report() {
  local kind=$1; shift
  local fields='' noh=0 nosfx=0 sep='' hassep=0 units=r aligned=0 prefixes=0 all=0 select='' args=() x def open='' v n t
  case $kind in
    vgs) def=vg_name,pv_count,lv_count,snap_count,vg_attr,vg_size,vg_free ;;
    pvs) def=pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free ;;
    lvs) def=lv_name,vg_name,lv_attr,lv_size,pool_lv,origin,data_percent,metadata_percent,move_pv,mirror_log,copy_percent,convert_lv ;;
  esac
  add_fields() { case $1 in +*) fields=${fields:-$def},${1#+} ;; *) fields=${fields:+$fields,}$1 ;; esac; }
  while [ $# -gt 0 ]; do
    case $1 in
      --noheadings) noh=1 ;;
      --nosuffix) nosfx=1 ;;
      --separator) sep=${2-}; hassep=1; shift ;;
      --separator=*) sep=${1#*=}; hassep=1 ;;
      -o | --options) add_fields "${2-}"; shift ;;
      --options=*) add_fields "${1#*=}" ;;
      -o?*) add_fields "${1#-o}" ;;
      --units) units=${2-r}; shift ;;
      --units=*) units=${1#*=} ;;
      --aligned) aligned=1 ;;
      --nameprefixes) prefixes=1 ;;
      -a | --all) all=1 ;;
      -S | --select) select=${2-}; shift ;;
      --select=*) select=${1#*=} ;;
      -O | --sort | --reportformat | --config) shift ;;
      --sort=* | --reportformat=* | --config=* | --unbuffered | --readonly | -q | --quiet | -v | --verbose | --ignorelockingfailure | --noheading) ;;
      --*) echo "$kind: unrecognized option '$1'" >&2; lvm_err "Error during parsing of command line."; return 3 ;;
      -?*) echo "$kind: invalid option -- '${1:1:1}'" >&2; lvm_err "Error during parsing of command line."; return 3 ;;
      *) args+=("$1") ;;
    esac
    shift
  done
  [ -n "$fields" ] || fields=$def
  fields=${fields// /}
  if [ "$kind" = lvs ]; then
    while read -r _ v n t _; do
      [ "$t" = pmspare ] && continue
      [ -z "$(lv_busy "$v" "$n")" ] || open+=" $v/$n"
    done < <(awk '$1 == "lv"' "$LVM_STATE")
  fi
  awk -v KIND="$kind" -v FIELDS="$fields" -v NOHEADINGS="$noh" -v NOSUFFIX="$nosfx" -v SEP="$sep" -v HASSEP="$hassep" \
    -v UNITS="$units" -v ALIGNED="$aligned" -v NAMEPREFIXES="$prefixes" -v ALL="$all" -v SELECT="$select" \
    -v ARGS="${args[*]-}" -v OPEN="$open" -v DISKS="$LVM_DISKS" "$LVM_REPORT_AWK" "$LVM_DISKS" "$LVM_STATE"
}
