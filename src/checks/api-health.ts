// 3.5.1 / 3.8 API service, on each master: the unit atomic-openshift-master-api is active (running)
// (3.10 static-pod control planes have no such unit: then the health endpoint alone decides),
// `curl -k https://<this master>:<port>/healthz` says `ok`, and the internal cluster URL's /version
// answers with a gitVersion (the guide's `curl https://internal-master.example.com:443/version`).

import { clusterVar } from '../inventory/hosts.js';
import type { Host, Inventory } from '../inventory/types.js';
import { etcdAddress } from '../ocp/etcd.js';
import { apiPort } from '../ocp/master-config.js';
import { sh } from '../transport/shell.js';
import { firstLine, notRunnable, type Problem, withProblem } from './common.js';
import type { Check, CommandOutput, Verdict } from './types.js';

export const API_UNIT = 'atomic-openshift-master-api.service';

const allVar = (inv: Inventory, host: Host | undefined, name: string) => clusterVar(inv, name, host);

/** The internal cluster URL: openshift_master_cluster_hostname, else the master itself. */
export function internalApiUrl(inv: Inventory, host: Host | undefined): string {
  const h = allVar(inv, host, 'openshift_master_cluster_hostname') ?? (host ? etcdAddress(host) : 'localhost');
  return `https://${h}:${apiPort(inv, host)}`;
}

export interface ApiFacts {
  unit?: { loadState: string; activeState: string; subState: string };
  healthUrl: string;
  healthz?: { exitCode: number | null; body: string };
  versionUrl: string;
  gitVersion?: string;
  versionError?: string;
}

function kv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split(/\r?\n/)) {
    const i = l.indexOf('=');
    if (i > 0) out[l.slice(0, i).trim()] = l.slice(i + 1).trim();
  }
  return out;
}

export const apiHealthCheck: Check<ApiFacts | Problem> = {
  id: 'api-health',
  title: 'API service',
  section: '3.8',
  placement: { on: 'hosts', roles: ['master'] },
  commands(host, ctx) {
    const local = `https://${host ? etcdAddress(host) : 'localhost'}:${apiPort(ctx.inventory, host)}/healthz`;
    return {
      unit: sh`systemctl show --property=LoadState,ActiveState,SubState ${API_UNIT}`,
      healthz: sh`curl -sk --max-time 10 ${local}`,
      version: sh`curl -sk --max-time 10 ${`${internalApiUrl(ctx.inventory, host)}/version`}`,
    };
  },
  parse(outputs, host, ctx) {
    const hz = outputs['healthz'];
    const missing = notRunnable(hz, 'curl', 'yum install curl');
    if (missing || !hz) return missing!;
    const facts: ApiFacts = {
      healthUrl: `https://${host ? etcdAddress(host) : 'localhost'}:${apiPort(ctx.inventory, host)}/healthz`,
      versionUrl: `${internalApiUrl(ctx.inventory, host)}/version`,
      healthz: { exitCode: hz.exitCode, body: hz.stdout.trim().slice(0, 200) },
    };
    const u = outputs['unit'];
    if (u && u.exitCode === 0) {
      const p = kv(u.stdout);
      if (p['LoadState']) facts.unit = { loadState: p['LoadState'], activeState: p['ActiveState'] ?? '', subState: p['SubState'] ?? '' };
    }
    const v: CommandOutput | undefined = outputs['version'];
    if (v && v.exitCode === 0) {
      const m = /"gitVersion"\s*:\s*"([^"]+)"/.exec(v.stdout);
      if (m) facts.gitVersion = m[1]!;
      else facts.versionError = `no gitVersion in ${JSON.stringify(v.stdout.slice(0, 80))}`;
    } else if (v) facts.versionError = `curl exit ${v.exitCode}${firstLine(v) ? `: ${firstLine(v)}` : ''}`;
    return facts;
  },
  verdict: (facts) => withProblem(facts, judge),
};

function judge(f: ApiFacts): Verdict {
  const details = { ...f };
  const fix = {
    text:
      'systemctl status atomic-openshift-master-api and journalctl -u atomic-openshift-master-api (3.10 static ' +
      'pods: master-logs api api; master-restart api).',
  };
  const unitKnown = f.unit && f.unit.loadState === 'loaded';
  if (unitKnown && f.unit!.activeState !== 'active')
    return { status: 'fail', message: `${API_UNIT} is ${f.unit!.activeState} (${f.unit!.subState})`, details, fix };
  if (f.healthz?.body !== 'ok')
    return {
      status: 'fail',
      message:
        `${f.healthUrl} ` +
        `${f.healthz?.exitCode === 0 ? `says ${JSON.stringify(f.healthz.body)}` : `does not answer (curl exit ${f.healthz?.exitCode})`}`,
      details,
      fix,
    };
  if (!f.gitVersion)
    return {
      status: 'warn',
      message: `healthz ok, but ${f.versionUrl} failed (${f.versionError}): check the load balancer / internal master name`,
      details,
    };
  const unit = unitKnown ? `${API_UNIT} active, ` : '';
  return { status: 'ok', message: `${unit}healthz ok, ${f.gitVersion} via ${f.versionUrl}`, details };
}
