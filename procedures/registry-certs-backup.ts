// 4.3 Backing up registry certificates and 7.2.2 Backing up docker certificates — on every node:
//   tar -czvf docker-registry-certs-$(hostname)-$(date +%Y%m%d).tar.gz /etc/docker/certs.d/      (7.2.2)
//   system trust: trust list (note the pkcs11 id of the CA); trust extract --format=pem-bundle
//   --filter="<pkcs11 id>;type=cert" myca.crt; openssl verify myca.crt; store the files off the host.
// The tool writes into the host backup directory /backup/<hostname>/<YYYYMMDD>/ (shared with 4.1/4.2):
// docker-registry-certs-<hostname>.tar.gz, and under ca-trust/ the extract of every trust anchor
// (`--filter=ca-anchors` instead of one pkcs11 id: every CA, so nothing has to be picked by hand), each
// locally added anchor (/etc/pki/ca-trust/source/anchors) checked with `openssl verify` against that
// extract, and a tar.gz of those anchor files. Then every host's files are fetched to the bastion.

import type { Procedure, StepContext } from '../src/engine/types.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import { literal, type ShellCommand, sh } from '../src/transport/shell.js';
import {
  dateStamp,
  hostnameOf,
  hostnameStep,
  remoteDirExpr,
  resolveBackupDir,
  roleOrParam,
  sftpCopyStep,
  validateBastionDir,
} from './backup-common.js';
import { defineProcedure, HOST_BACKUP_DIR, hostParam, textParam } from './define.js';

const where = roleOrParam('node', 'host', 'every node, one at a time (or the one named by host)');

export const CERTS_D = '/etc/docker/certs.d';
export const ANCHORS = '/etc/pki/ca-trust/source/anchors';

export function backupDir(ctx: StepContext): string {
  return resolveBackupDir(HOST_BACKUP_DIR, ctx);
}
export function certsArchive(ctx: StepContext): string {
  return `${backupDir(ctx)}/docker-registry-certs-${hostnameOf(ctx)}.tar.gz`;
}
export function trustDir(ctx: StepContext): string {
  return `${backupDir(ctx)}/ca-trust`;
}

const NO_TRUST = 'trust (p11-kit) is not installed on this host: no system trust to back up';

/** `if command -v trust …; then <cmd>; else echo "not installed"; fi` */
function ifTrust(cmd: ShellCommand): ShellCommand {
  return sh`if command -v trust > /dev/null 2>&1; then ${cmd}; else echo ${NO_TRUST}; fi`;
}

export const registryCertsBackup: Procedure = defineProcedure({
  id: 'registry-certs-backup',
  title: 'Back up registry certificates',
  section: '4.3, 7.2.2',
  guideLine: 402,
  risk: 'low',
  summary: 'Archives the docker registry certificates and the trusted CAs of every node and copies them off the hosts.',
  parameters: [
    hostParam('host', 'node', 'Node to back up; default: every node', false),
    { ...textParam('copy-to', 'Directory on the bastion the archives are copied to'), validate: (v) => validateBastionDir(v) },
  ],
  steps: [
    hostnameStep(where, '4.3'),
    {
      id: 'docker-certs',
      title: 'Archive the registry certificates of /etc/docker/certs.d',
      section: '4.3, 7.2.2',
      where,
      commands: (ctx) => {
        const d = backupDir(ctx);
        const a = certsArchive(ctx);
        return [
          sh`mkdir -p ${d}`,
          sh`if test -d ${CERTS_D}; then tar -czf ${a} ${`${CERTS_D}/`} && tar -tzvf ${a};
            else echo ${`${CERTS_D}: not present on this host (no registry certificates to back up)`}; fi`,
        ];
      },
      verify: {
        describe: 'the archive can be read back (when /etc/docker/certs.d exists)',
        command: (ctx) => sh`if test -d ${CERTS_D}; then tar -tzf ${certsArchive(ctx)} > /dev/null; fi`,
        ok: (out) => out.exitCode === 0 || `the registry certificate archive cannot be read back: ${out.stderr.trim().slice(-200)}`,
      },
    },
    {
      id: 'trust-list',
      title: 'List the CAs of the system trust (trust list)',
      section: '7.2.2',
      where,
      commands: () => [ifTrust(literal('trust list --filter=ca-anchors'))],
    },
    {
      id: 'trust-extract',
      title: 'Extract the trust anchors (trust extract --format=pem-bundle) and check them with openssl verify',
      section: '7.2.2',
      where,
      commands: (ctx) => {
        const t = trustDir(ctx);
        const bundle = `${t}/ca-anchors.pem`;
        return [
          sh`mkdir -p ${t}`,
          ifTrust(
            sh`trust extract --format=pem-bundle --filter=ca-anchors --overwrite ${bundle} && echo "$(grep -c 'BEGIN
              CERTIFICATE' ${bundle}) CA certificates extracted to "${bundle}`,
          ),
          // the locally added anchors (the registry CAs of 7.2.1): each must verify against the extract
          sh`if test -f ${bundle}; then n=0; bad=0; for f in ${ANCHORS}/*; do test -f "$f" || continue; n=$((n+1));
            openssl verify -CAfile ${bundle} "$f" || bad=$((bad+1)); done;
            echo "$n locally added anchor(s) checked, $bad failed"; test "$bad" = 0;
            else echo 'no trust extract: the locally added anchors were not verified'; fi`,
          sh`if test -d ${ANCHORS}; then tar -czf ${`${t}/ca-trust-anchors-${hostnameOf(ctx)}.tar.gz`} ${`${ANCHORS}/`}; fi`,
        ];
      },
    },
    sftpCopyStep({
      id: 'copy-to-bastion',
      title: 'Copy the certificate archives off the host, to the bastion (SFTP)',
      section: '4.3',
      param: 'copy-to',
      describeHosts: 'every node (or the one named by host)',
      hosts: (ctx) => {
        const chosen = ctx.params['host'];
        const all = hostsOfRole(ctx.inventory, 'node');
        return chosen ? all.filter((h) => h.name === chosen) : all;
      },
      dirs: (ctx) => [
        {
          // missing pieces (no certs.d, no trust) are not an error: --ignore-failed-read
          tarArgs: {
            script:
              `--ignore-failed-read -C ${remoteDirExpr(HOST_BACKUP_DIR, ctx.startedAt).script} ` +
              `docker-registry-certs-"$(hostname)".tar.gz ca-trust`,
          },
          name: `registry-certs-${dateStamp(ctx.startedAt)}.tar.gz`,
        },
      ],
    }),
  ],
});

export default registryCertsBackup;
