import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  devsLine,
  dmName,
  lvmName,
  lvsCommand,
  overlay2SetupFile,
  parseDockerStorage,
  parseFindmnt,
  parseLsblkPairs,
  parseLvs,
  parsePvs,
  parseSysconfig,
  parseVgs,
  vgsCommand,
} from './lvm.js';

test('vgs/lvs: one report each, sizes in bytes, the volume groups asked for last', () => {
  assert.equal(
    vgsCommand('docker-vg').script,
    'vgs --noheadings --separator \\| --units b --nosuffix -o vg_name,pv_count,lv_count,vg_size,vg_free docker-vg',
  );
  assert.match(lvsCommand().script, /^lvs .* -o vg_name,lv_name,lv_attr,lv_size$/);
});

test('parseVgs / parsePvs: the separated rows (LVM indents them), sizes as numbers', () => {
  assert.deepEqual(parseVgs('  docker-vg|1|1|26839351296|1073741824\n'), [
    { name: 'docker-vg', pvCount: 1, lvCount: 1, sizeBytes: 26839351296, freeBytes: 1073741824 },
  ]);
  assert.deepEqual(parsePvs('  /dev/xvdb1|docker-vg|26839351296\n  /dev/xvdc||1000\n'), [
    { name: '/dev/xvdb1', vg: 'docker-vg', sizeBytes: 26839351296 },
    { name: '/dev/xvdc', vg: '', sizeBytes: 1000 },
  ]);
  assert.throws(() => parseVgs('  docker-vg|1|1|25.00g|0\n'), /not a size in bytes/);
  assert.throws(() => parsePvs('  /dev/xvdb1|docker-vg\n'), /expected 3 '\|'-separated fields/);
});

test('parseLvs: the hidden [..] volumes of `lvs -a` are left out', () => {
  const text = '  docker-vg|docker-pool|twi-a-t---|10737418240\n  docker-vg|[docker-pool_tmeta]|ewi-ao----|12582912\n';
  assert.deepEqual(parseLvs(text), [{ vg: 'docker-vg', name: 'docker-pool', attr: 'twi-a-t---', sizeBytes: 10737418240 }]);
});

test('parseLsblkPairs / parseFindmnt: devices with their parents, mounts with \\x20 unescaped', () => {
  const lsblk =
    'NAME="/dev/xvdb" TYPE="disk" SIZE="26843545600" PKNAME=""\nNAME="/dev/xvdb1" TYPE="part" SIZE="26842497024" PKNAME="/dev/xvdb"\n';
  assert.deepEqual(parseLsblkPairs(lsblk), [
    { name: '/dev/xvdb', type: 'disk', sizeBytes: 26843545600, parent: '' },
    { name: '/dev/xvdb1', type: 'part', sizeBytes: 26842497024, parent: '/dev/xvdb' },
  ]);
  assert.throws(() => parseLsblkPairs('SIZE="1"\n'), /no NAME\/TYPE/);
  assert.deepEqual(parseFindmnt('/dev/mapper/docker--vg-dockerlv /var/lib/docker\n/dev/sda1 /my\\x20disk\n'), [
    { source: '/dev/mapper/docker--vg-dockerlv', target: '/var/lib/docker' },
    { source: '/dev/sda1', target: '/my disk' },
  ]);
});

test('docker storage files: sysconfig values, the driver and thin pool of DOCKER_STORAGE_OPTIONS', () => {
  assert.deepEqual(parseSysconfig('DEVS="/dev/xvdb /dev/xvdd"\nVG=docker-vg # the VG\n# VG=old\nVG=docker-vg2\n'), {
    DEVS: '/dev/xvdb /dev/xvdd',
    VG: 'docker-vg2',
  });
  const dm = 'DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool"\n';
  assert.deepEqual(parseDockerStorage(dm), { driver: 'devicemapper', thinPool: '/dev/mapper/docker--vg-docker--pool' });
  assert.deepEqual(parseDockerStorage('DOCKER_STORAGE_OPTIONS="--storage-driver overlay2"\n'), { driver: 'overlay2' });
  assert.deepEqual(parseDockerStorage(''), {});
});

test('names: device-mapper names double dashes; LVM names and device paths are refused when not plain', () => {
  assert.equal(dmName('docker-vg', 'docker-pool'), 'docker--vg-docker--pool');
  assert.equal(lvmName('docker-vg', 'volume group'), 'docker-vg');
  assert.throws(() => lvmName('a;b', 'volume group'), /is not an LVM name/);
  assert.equal(devsLine(['/dev/xvdb']), 'DEVS=/dev/xvdb');
  assert.equal(devsLine(['/dev/xvdb', '/dev/xvdd']), 'DEVS="/dev/xvdb /dev/xvdd"');
  assert.throws(() => devsLine(['/dev/../etc']), /not a device path/);
});

test('overlay2SetupFile: the guide 7.1.3 file, same disks and volume group', () => {
  assert.equal(
    overlay2SetupFile({ devs: ['/dev/xvdb'], vg: 'docker-vg' }),
    [
      'DEVS=/dev/xvdb',
      'VG=docker-vg',
      'DATA_SIZE=95%VG',
      'STORAGE_DRIVER=overlay2',
      'CONTAINER_ROOT_LV_NAME=dockerlv',
      'CONTAINER_ROOT_LV_MOUNT_PATH=/var/lib/docker',
      'CONTAINER_ROOT_LV_SIZE=100%FREE',
      '',
    ].join('\n'),
  );
  assert.throws(() => overlay2SetupFile({ devs: [], vg: 'docker-vg' }), /no disk/);
});
