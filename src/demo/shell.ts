// The demo's shell: a private directory holding one directory per host (host-roots.ts), the program
// directory (tools.ts) and the socket its cluster tools ask (tool-server.ts). Started on the first
// command, closed with the runner.
import { join } from 'node:path';
import { HostRoots } from './host-roots.js';
import { type ToolHandler, ToolServer } from './tool-server.js';
import { makeToolDir } from './tools.js';

export interface DemoShell {
  roots: HostRoots;
  toolDir: string;
  /** The environment of a command run on the host whose directory is `root`. */
  env(root: string, token: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startDemoShell(handler: ToolHandler): Promise<DemoShell> {
  const roots = new HostRoots();
  const toolDir = join(roots.base, 'bin');
  const { missing } = makeToolDir(toolDir);
  if (missing.length > 0) {
    roots.close();
    throw new Error(
      `the DEMO cluster runs the procedures' commands in this machine's own shell and needs ${missing.join(', ')} ` +
        '(GNU coreutils, grep, sed, gawk and bash, as on a RHEL bastion): install them, or rehearse on a Linux machine',
    );
  }
  const socket = join(roots.base, 'cluster.sock');
  const server = new ToolServer(socket, handler);
  await server.listen();
  return {
    roots,
    toolDir,
    env: (root, token) => ({
      PATH: toolDir,
      HOME: `${root}/root`,
      TMPDIR: `${root}/tmp`,
      LC_ALL: 'C',
      DAY2_DEMO_SOCKET: socket,
      DAY2_DEMO_RUN: token,
      DAY2_DEMO_ROOT: root,
    }),
    close: async () => {
      await server.close();
      roots.close();
    },
  };
}
