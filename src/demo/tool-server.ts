// The other end of the demo's cluster-tool shims (tools.ts): a Unix socket in the demo's private
// directory. Each connection is one program run on one host: its words arrive, the simulated cluster
// answers them as a stream of lines (paced, with the changes it makes on the way), then the exit code.
import { createServer, type Server, type Socket } from 'node:net';

export interface ToolRequest {
  /** The run token the runner put in the command's environment. */
  run: string;
  tool: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: string;
}

/** What one tool run prints and returns; `line` sends a line, and resolves once it is sent. */
export interface ToolReply {
  /** `newline` false: the text is the end of the output, with no newline after it (kubectl's -o jsonpath). */
  line(stream: 'stdout' | 'stderr', text: string, newline?: boolean): void;
}

export type ToolHandler = (req: ToolRequest, reply: ToolReply, signal: AbortSignal) => Promise<number>;

export class ToolServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly path: string,
    handler: ToolHandler,
  ) {
    this.server = createServer((socket) => this.serve(socket, handler));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.path, () => {
        this.server.off('error', reject);
        this.server.unref();
        resolve();
      });
    });
  }

  private serve(socket: Socket, handler: ToolHandler): void {
    this.sockets.add(socket);
    const ac = new AbortController();
    socket.on('close', () => {
      this.sockets.delete(socket);
      ac.abort();
    });
    socket.on('error', () => ac.abort());
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      socket.off('data', onData);
      const send = (m: object): void => {
        if (!socket.destroyed) socket.write(`${JSON.stringify(m)}\n`);
      };
      const reply: ToolReply = {
        line: (stream, text, newline = true) =>
          send({ ...(stream === 'stdout' ? { o: text } : { e: text }), ...(newline ? {} : { n: 0 }) }),
      };
      let req: ToolRequest;
      try {
        req = JSON.parse(buf.slice(0, nl)) as ToolRequest;
      } catch {
        send({ e: 'demo: a tool sent a request that is not JSON' });
        send({ x: 126 });
        socket.end();
        return;
      }
      handler(req, reply, ac.signal).then(
        (code) => {
          send({ x: code });
          socket.end();
        },
        (err: unknown) => {
          send({ e: `demo: ${req.tool}: ${(err as Error).message}` });
          send({ x: 126 });
          socket.end();
        },
      );
    };
    socket.on('data', onData);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
