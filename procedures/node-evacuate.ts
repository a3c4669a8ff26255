// 7.1.1 Evacuating a node — as a cluster administrator, on the bastion:
//   oc adm manage-node ${NODE} --schedulable=false
//   oc adm drain ${NODE} --ignore-daemonsets          (--delete-local-data for pods with local volumes)
//   oc adm manage-node ${NODE} --list-pods            (none left)
// Beyond the guide's text: before anything changes, the node's pods are listed and the run is refused
// when the drain would refuse them — pods without a controller (they need force=yes, and are then
// deleted for good behind a gate where the node's name is typed) or pods with emptyDir volumes under
// delete-local-data=no; with delete-local-data=auto (the default) the flag is added only when a pod on
// the node has an emptyDir volume. The flag's spelling follows the oc client (--delete-emptydir-data
// on clients built on Kubernetes 1.20 and later). The drain is bounded (--timeout=300s).
import type { Procedure } from '../src/engine/types.js';
import { sh } from '../src/transport/shell.js';
import { defineProcedure, hostParam, oneOf, yesNo } from './define.js';
import { cordonStep, drainSteps, listPodsStep, nodeFactsStep, nodeName, podsSteps } from './node-common.js';

const SECTION = '7.1.1';

export const nodeEvacuate: Procedure = defineProcedure({
  id: 'node-evacuate',
  title: 'Evacuate a node',
  section: '7.1.1',
  guideLine: 1495,
  risk: 'high',
  summary: 'Marks a node unschedulable and drains its pods to other nodes.',
  parameters: [
    hostParam('node', 'node', 'Node to evacuate'),
    oneOf(
      'delete-local-data',
      'Drain pods with emptyDir volumes (their emptyDir data is lost); auto: only when the node has such a pod',
      ['auto', 'yes', 'no'],
      'auto',
    ),
    yesNo('force', 'Drain with --force: pods without a controller are deleted for good (data loss; the node name must be typed)'),
  ],
  steps: [
    nodeFactsStep(SECTION),
    ...podsSteps(SECTION),
    cordonStep(SECTION),
    ...drainSteps(SECTION),
    listPodsStep(SECTION),
    {
      id: 'next',
      title: 'What next: the node stays unschedulable until it is made schedulable again',
      section: SECTION,
      where: { on: 'bastion' },
      commands: (ctx) => [
        sh`printf '%s\\n' ${[
          `${nodeName(ctx)} is unschedulable and has no pods left but daemon set pods.`,
          `When its maintenance is done: oc adm manage-node ${nodeName(ctx)} --schedulable=true`,
        ]}`,
      ],
    },
  ],
});

export default nodeEvacuate;
