// 3.2 Alerting with Prometheus — guidance: OpenShift can feed Prometheus to show and alert on problems
// before they hurt (a node down, a pod eating CPU or memory). In 3.10 it is a technology preview: no
// production support. Installed by openshift-ansible from inventory variables.
import type { InfoPage } from '../src/model/info-page.js';
import { sh } from '../src/transport/shell.js';

const PLAYBOOK = '/usr/share/ansible/openshift-ansible/playbooks/openshift-prometheus/config.yml';

export const infoPrometheus: InfoPage = {
  id: 'info-prometheus',
  lead: 'Prometheus shows and alerts on trouble before users notice: nodes down, pods using too much CPU or memory.',
  sections: (ctx) => [
    {
      heading: 'Technology preview in 3.10',
      text: [
        'Red Hat does not support it in production (no SLA): try it on a test cluster, or accept that risk. See "Configuring Prometheus on OpenShift" in the cluster configuration guide.',
      ],
    },
    {
      heading: 'Inventory variables',
      text: [
        'Set in the [OSEv3:vars] section of the inventory, then run the playbook below from the bastion:',
        '  openshift_hosted_prometheus_deploy=true',
        '  openshift_prometheus_namespace=openshift-metrics',
        '  openshift_prometheus_node_selector={"region":"infra"}',
        'The last puts it on the infra nodes. Storage (openshift_prometheus_storage_*) is empty-dir unless you set it.',
      ],
      commands: [
        {
          what: 'install or update Prometheus (3.10 path)',
          command: sh`ansible-playbook -i ${ctx.inventoryPath ?? '/etc/ansible/hosts'} ${PLAYBOOK}`.script,
        },
      ],
    },
    {
      heading: 'What to look at',
      text: ['Its pods running, its route, and the alerts that fire: nodes not Ready, pods over their CPU or memory.'],
      commands: [
        { what: 'the Prometheus pods', command: 'oc get pods -n openshift-metrics' },
        { what: 'the route to its web console', command: 'oc get routes -n openshift-metrics' },
        { what: 'nodes down now', command: 'oc get nodes' },
      ],
    },
  ],
};
