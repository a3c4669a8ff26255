import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathsOutOf, pathsUnder } from './host-roots.js';

const R = '/tmp/day2-demo-1-x/hosts/master-0';

test('absolute paths move under the host root; URLs, /dev and words inside paths stay', () => {
  const cases: [string, string][] = [
    ['cat /etc/etcd/etcd.conf', `cat ${R}/etc/etcd/etcd.conf`],
    ['cp -aR /etc/origin /backup/x/etc', `cp -aR ${R}/etc/origin ${R}/backup/x/etc`],
    ["ETCD_DATA_DIR=/var/lib/etcd grep -q '/var/lib/etcd' f", `ETCD_DATA_DIR=${R}/var/lib/etcd grep -q '${R}/var/lib/etcd' f`],
    ['curl -s https://10.0.0.1:8443/healthz', 'curl -s https://10.0.0.1:8443/healthz'],
    ['ls 2>/dev/null >/dev/null </dev/tcp/x', 'ls 2>/dev/null >/dev/null </dev/tcp/x'],
    ['for f in /var/lib/etcd/*; do :; done', `for f in ${R}/var/lib/etcd/*; do :; done`],
    ['echo "$(stat -c %s /backup/db)"', `echo "$(stat -c %s ${R}/backup/db)"`],
    ["sed -i 's#^X=.*#X=/var/lib/etcd#' f", `sed -i 's#^X=.*#X=${R}/var/lib/etcd#' f`],
    ['a/b/c and s/x/y/', 'a/b/c and s/x/y/'],
    ['tar -C /backup/"$(hostname)"/20261207 .', `tar -C ${R}/backup/"$(hostname)"/20261207 .`],
    ["echo '/var/lib/etcd is a mount point'", `echo '${R}/var/lib/etcd is a mount point'`],
    ["sed -i '/^ETCD_FORCE_NEW_CLUSTER=/d' /etc/etcd/etcd.conf", `sed -i '/^ETCD_FORCE_NEW_CLUSTER=/d' ${R}/etc/etcd/etcd.conf`],
    ['awk \'{ sub(/-.*$/, "", p) }\' /etc/x', `awk '{ sub(/-.*$/, "", p) }' ${R}/etc/x`],
    ['openssl req -keyout /etc/k -subj /CN=master-2', `openssl req -keyout ${R}/etc/k -subj /CN=master-2`],
    [
      `sed -n '/ExecStart/s/"$/ --force-new-cluster"/p' /usr/lib/systemd/system/etcd.service`,
      `sed -n '/ExecStart/s/"$/ --force-new-cluster"/p' ${R}/usr/lib/systemd/system/etcd.service`,
    ],
  ];
  for (const [script, mapped] of cases) assert.equal(pathsUnder(R, script), mapped, script);
});

test('what a command prints shows the host paths, not the demo directory', () => {
  assert.equal(pathsOutOf(R, `cp: cannot stat '${R}/etc/x': No such file`), "cp: cannot stat '/etc/x': No such file");
  assert.equal(pathsOutOf(R, `${R}`), '/');
  for (const script of ['cat /etc/a /var/b', 'x=/backup/y; ls "$x"']) assert.equal(pathsOutOf(R, pathsUnder(R, script)), script);
});
