// 2.3 Default storage class: `oc get storageclass`; exactly one class marked `(default)`.
import { sh } from '../transport/shell.js';
import { firstLine, listNames, ocProblem, type Problem, problem, withProblem } from './common.js';
import { type OcStorageClass, parseOcStorageClasses } from './parse/oc-table.js';
import type { Check, Fix } from './types.js';

export interface StorageClassFacts {
  classes: OcStorageClass[];
}

const FIX: Fix = {
  text:
    'Mark exactly one class default: oc patch storageclass <name> -p ' +
    '\'{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}\' (and "false" on the ' +
    'others); see the dynamic provisioning guide.',
};

export const defaultStorageClassCheck: Check<StorageClassFacts | Problem> = {
  id: 'default-storageclass',
  title: 'Default storage class',
  section: '2.3',
  placement: { on: 'bastion' },
  commands: (_h, ctx) => ({ storageclass: sh`${ctx.oc} get storageclass` }),
  parse(outputs, _h, ctx) {
    const out = outputs['storageclass'];
    const p = ocProblem(out, ctx, 'cluster-reader');
    if (p || !out) return p!;
    // "No resources found." (stderr, exit 0) → no class at all
    if (out.exitCode !== 0) return problem('error', `oc get storageclass failed: ${firstLine(out)}`);
    return { classes: parseOcStorageClasses(out.stdout) };
  },
  verdict: (facts) =>
    withProblem(facts, (f) => {
      const defaults = f.classes.filter((c) => c.isDefault).map((c) => c.name);
      const details = { classes: f.classes, defaults };
      if (f.classes.length === 0)
        return {
          status: 'warn',
          message: 'no storage class defined: claims without a class will not be provisioned dynamically',
          details,
          fix: FIX,
        };
      if (defaults.length === 0)
        return { status: 'warn', message: `no default storage class among ${listNames(f.classes.map((c) => c.name))}`, details, fix: FIX };
      if (defaults.length > 1)
        return {
          status: 'fail',
          message: `${defaults.length} default storage classes (${listNames(defaults)}): claims without a class are rejected`,
          details,
          fix: FIX,
        };
      return { status: 'ok', message: `default storage class: ${defaults[0]}`, details };
    }),
};
