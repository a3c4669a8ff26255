#!/usr/bin/env bash
# Drive the lab's cluster API at runtime: ctl.sh DIR scenario NAME | reset | state
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: ctl.sh DIR scenario NAME | reset | state" >&2; exit 2; }
DIR=$1; shift
url=$(cat "$DIR/url")
c=(curl -sS --fail-with-body --cacert "$DIR/pki/ca.crt" -H "Authorization: Bearer $(cat "$DIR/token")")
case $1 in
  scenario) [ $# -eq 2 ] || { echo "usage: ctl.sh DIR scenario NAME" >&2; exit 2; }; "${c[@]}" -X POST "$url/lab/scenario/$2" ;;
  reset) "${c[@]}" -X POST "$url/lab/reset" ;;
  state) "${c[@]}" "$url/lab/state" ;;
  *) echo "ctl.sh: unknown command $1" >&2; exit 2 ;;
esac
echo
