// 3.5.2 Registry route: from outside the cluster (the bastion), `curl -kv https://docker-registry-default.<apps
// domain>/healthz` → 200. The host name is openshift_hosted_registry_routehost when set.

import { clusterVar } from '../inventory/hosts.js';
import { type ShellCommand, sh } from '../transport/shell.js';
import { notRunnable, type Problem, problem, withProblem } from './common.js';
import { type CurlResult, parseCurlVerbose } from './parse/host.js';
import { appsSubdomain } from './router-dns.js';
import type { Check, CheckContext } from './types.js';

export interface RegistryRouteFacts extends CurlResult {
  url: string;
  exitCode: number | null;
}

export function registryRouteUrl(ctx: CheckContext): string | undefined {
  const host = clusterVar(ctx.inventory, 'openshift_hosted_registry_routehost');
  if (host) return `https://${host}/healthz`;
  const sub = appsSubdomain(ctx);
  return sub ? `https://docker-registry-default.${sub}/healthz` : undefined;
}

export const registryRouteCheck: Check<RegistryRouteFacts | Problem> = {
  id: 'registry-route',
  title: 'Registry route from outside',
  section: '3.5.2',
  placement: { on: 'bastion' },
  commands(_h, ctx): Record<string, ShellCommand> {
    const url = registryRouteUrl(ctx);
    return url ? { curl: sh`curl -kv --max-time 20 ${url}` } : {};
  },
  parse(outputs, _h, ctx) {
    const url = registryRouteUrl(ctx);
    if (!url)
      return problem(
        'skipped',
        'neither openshift_hosted_registry_routehost nor openshift_master_default_subdomain is set in the inventory',
      );
    const out = outputs['curl'];
    const missing = notRunnable(out, 'curl');
    if (missing || !out) return missing!;
    return { url, exitCode: out.exitCode, ...parseCurlVerbose(out.stderr, out.stdout) };
  },
  verdict: (facts) =>
    withProblem(facts, (f) => {
      const { body: _body, ...details } = f;
      if (f.httpStatus === 200) return { status: 'ok', message: `${f.url} → HTTP 200`, details };
      if (f.httpStatus === 503)
        return {
          status: 'warn',
          message: `${f.url} → HTTP 503 from the router: no route for the registry (not exposed?)`,
          details,
          fix: {
            text:
              'oc -n default get route docker-registry; expose it with oc create route reencrypt … if it should ' +
              'be reachable from outside.',
          },
        };
      if (f.httpStatus !== undefined)
        return {
          status: 'fail',
          message: `${f.url} → HTTP ${f.httpStatus}`,
          details,
          fix: { text: 'oc -n default get route docker-registry; oc -n default logs dc/docker-registry' },
        };
      return {
        status: 'fail',
        message: `${f.url} unreachable: ${f.error ?? `curl exit ${f.exitCode}`}`,
        details,
        fix: { text: 'Check the wildcard DNS (router-dns), the load balancer and the router (router).' },
      };
    }),
};
