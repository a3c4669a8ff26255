// The etcd CA as openshift-ansible's etcd role leaves it on the first etcd host (roles/etcd/tasks/certificates/
// deploy_ca.yml): /etc/etcd/ca/ with openssl.cnf (RHEL's, with the role's sections appended), ca.crt and ca.key
// (a real key pair, so the machine's own openssl signs with it), serial "01", an empty index.txt, certs/, crl/
// and fragments/. Every etcd host's /etc/etcd/ca.crt is that CA's certificate. The key pair is made once per
// process, by the first host seeded (an RSA 2048 key, the role's is 4096: ~50 ms rather than ~1 s).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeUnder } from './host-roots.js';

export const CA_DIR = '/etc/etcd/ca';

// The parts of RHEL 7's /etc/pki/tls/openssl.cnf that `openssl req` and `openssl ca -name etcd_ca` read (not its
// RANDFILE: the machine's openssl 3 warns of a missing ~/.rnd where RHEL 7's 1.0.2 said nothing).
const RHEL_OPENSSL_CNF = `HOME = .
oid_section = new_oids

[ new_oids ]

[ ca ]
default_ca = CA_default

[ policy_anything ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional

[ req ]
default_bits = 2048
default_md = sha256
default_keyfile = privkey.pem
distinguished_name = req_distinguished_name
string_mask = utf8only

[ req_distinguished_name ]
commonName = Common Name (eg, your name or your server's hostname)
commonName_max = 64
`;

/** The role's openssl_append.j2 with its defaults (dir = `dir`: the host's own /etc/etcd/ca). */
function appended(dir: string): string {
  const ext = (name: string, usage: string) =>
    `[ ${name} ]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = digitalSignature,keyEncipherment\n${usage}`;
  const signed = (name: string, usage: string) =>
    `[ ${name} ]\nauthorityKeyIdentifier = keyid,issuer:always\nbasicConstraints = critical,CA:FALSE\n` +
    `extendedKeyUsage = ${usage}\nkeyUsage = digitalSignature,keyEncipherment\nsubjectKeyIdentifier = hash\n`;
  return [
    ext('etcd_v3_req', 'subjectAltName = ${ENV::SAN}\n'),
    ext('etcd_v3_req_peer', 'extendedKeyUsage = clientAuth,serverAuth\nsubjectAltName = ${ENV::SAN}\n'),
    ext('etcd_v3_req_server', 'extendedKeyUsage = serverAuth\nsubjectAltName = ${ENV::SAN}\n'),
    ext('etcd_v3_req_client', 'extendedKeyUsage = clientAuth\nsubjectAltName = ${ENV::SAN}\n'),
    `[ etcd_ca ]\ndir = ${dir}\ncrl_dir = ${dir}/crl\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}/certs\n` +
      `certificate = ${dir}/ca.crt\nserial = ${dir}/serial\nprivate_key = ${dir}/ca.key\ncrl_number = ${dir}/crlnumber\n` +
      'x509_extensions = etcd_v3_ca_client\ndefault_days = 1825\ndefault_md = sha256\npreserve = no\nname_opt = ca_default\n' +
      'cert_opt = ca_default\npolicy = policy_anything\nunique_subject = no\ncopy_extensions = copy\n',
    '[ etcd_v3_ca_self ]\nauthorityKeyIdentifier = keyid,issuer\nbasicConstraints = critical,CA:TRUE,pathlen:0\n' +
      'keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign\nsubjectKeyIdentifier = hash\n',
    signed('etcd_v3_ca_peer', 'clientAuth,serverAuth'),
    signed('etcd_v3_ca_server', 'serverAuth,clientAuth'),
    signed('etcd_v3_ca_client', 'clientAuth'),
  ].join('\n');
}

/** openssl.cnf of a CA whose files are in `dir` (paths as the machine sees them: openssl reads them itself). */
export const etcdOpensslCnf = (dir: string): string => `${RHEL_OPENSSL_CNF}\n${appended(dir)}`;

let made: { crt: string; key: string } | undefined;

/** The CA's certificate and key, made with the machine's openssl on first use; undefined where it has none. */
export function etcdCaPair(): { crt: string; key: string } | undefined {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'day2-demo-ca-'));
  try {
    writeFileSync(join(dir, 'openssl.cnf'), etcdOpensslCnf(dir));
    const subj = `/CN=etcd-signer@${Math.floor(Date.now() / 1000)}`;
    const args = ['req', '-config', join(dir, 'openssl.cnf'), '-newkey', 'rsa:2048', '-keyout', join(dir, 'ca.key')];
    args.push(
      '-new',
      '-out',
      join(dir, 'ca.crt'),
      '-x509',
      '-extensions',
      'etcd_v3_ca_self',
      '-batch',
      '-nodes',
      '-days',
      '1825',
      '-subj',
      subj,
    );
    execFileSync('openssl', args, { env: { ...process.env, SAN: 'etcd-signer' }, stdio: 'ignore' });
    made = { crt: readFileSync(join(dir, 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8') };
    return made;
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the CA host's /etc/etcd/ca/ under `root` (nothing where the machine has no openssl: the runner says it is missing). */
export function seedEtcdCa(root: string): void {
  const pair = etcdCaPair();
  if (!pair) return;
  for (const d of ['certs', 'crl', 'fragments']) mkdirSync(join(root, CA_DIR, d), { recursive: true, mode: 0o700 });
  writeUnder(root, `${CA_DIR}/openssl.cnf`, etcdOpensslCnf(join(root, CA_DIR)));
  writeUnder(root, `${CA_DIR}/fragments/openssl_append.cnf`, appended(join(root, CA_DIR)));
  writeUnder(root, `${CA_DIR}/ca.crt`, pair.crt);
  writeUnder(root, `${CA_DIR}/ca.key`, pair.key, 0o600);
  writeUnder(root, `${CA_DIR}/serial`, '01');
  writeUnder(root, `${CA_DIR}/index.txt`, '');
}
