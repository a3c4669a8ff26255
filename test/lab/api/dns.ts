// The lab's DNS: a tiny authoritative UDP server (A records only) that the real `dig` and the hosts'
// resolver (glibc, so curl) query. Two views of the same data, as on a real OpenShift 3.10 site:
//   - the site DNS (the bastion's and the load balancer's resolver): the hosts' names and the router
//     wildcard `*.apps.<domain>` → the load balancer (the infra nodes when there is none);
//   - each node's resolver (dnsmasq on the node's address in 3.10): the same, plus the cluster's
//     services `<svc>.<ns>.svc.cluster.local` → ClusterIP (what SkyDNS answers through dnsmasq).
// Anything else is NXDOMAIN (a real resolver would ask upstream; the lab has none). No I/O here
// except the socket that `serveDns` binds.
import dgram from 'node:dgram';

export interface DnsData {
  /** fully qualified name (lower case, no trailing dot) → IPv4 addresses */
  names: Map<string, string[]>;
  /** wildcard zones: `apps.lab.example.com` → addresses of any `<x>.apps.lab.example.com` */
  wildcards: Map<string, string[]>;
}

const TYPE_A = 1;
const TYPE_ANY = 255;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;
const RCODE_FORMERR = 1;

export function lookup(data: DnsData, qname: string): string[] | undefined {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const exact = data.names.get(name);
  if (exact) return exact;
  for (const [zone, addrs] of data.wildcards) if (name.endsWith(`.${zone}`)) return addrs;
  return undefined;
}

/** The answer to one query packet (undefined: not worth an answer). */
export function answer(query: Buffer, data: DnsData, ttl = 30): Buffer | undefined {
  if (query.length < 12) return undefined;
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response, not a query
  const opcode = (flags >> 11) & 0xf;
  const rd = flags & 0x0100;
  const qdcount = query.readUInt16BE(4);
  const header = (rcode: number, an: number, qd: number) => {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(id, 0);
    h.writeUInt16BE(0x8000 | (opcode << 11) | 0x0400 | rd | 0x0080 | rcode, 2);
    h.writeUInt16BE(qd, 4);
    h.writeUInt16BE(an, 6);
    return h;
  };
  if (opcode !== 0) return header(RCODE_NOTIMP, 0, 0);
  if (qdcount !== 1) return header(RCODE_FORMERR, 0, 0);
  // the question: labels (no compression in a query), type, class
  const labels: string[] = [];
  let i = 12;
  while (i < query.length && query[i] !== 0) {
    const len = query[i]!;
    if (len & 0xc0 || i + 1 + len > query.length) return header(RCODE_FORMERR, 0, 0);
    labels.push(query.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  if (i + 5 > query.length) return header(RCODE_FORMERR, 0, 0);
  const qtype = query.readUInt16BE(i + 1);
  const question = query.subarray(12, i + 5);
  const addrs = lookup(data, labels.join('.'));
  if (!addrs) return Buffer.concat([header(RCODE_NXDOMAIN, 0, 1), question]);
  const answers = qtype === TYPE_A || qtype === TYPE_ANY ? addrs : []; // other types: NODATA
  const rrs = answers.map((a) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name of the question
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    for (const [k, o] of a.split('.').entries()) rr.writeUInt8(Number(o), 12 + k);
    return rr;
  });
  return Buffer.concat([header(0, rrs.length, 1), question, ...rrs]);
}

/** A UDP DNS server on ADDRESS:53 answering from `data()` (read at every query, so always current). */
export function serveDns(address: string, data: () => DnsData, onError: (e: Error) => void, port = 53): dgram.Socket {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    let out: Buffer | undefined;
    try {
      out = answer(msg, data());
    } catch (e) {
      onError(e as Error);
    }
    if (out) sock.send(out, rinfo.port, rinfo.address);
  });
  sock.on('error', onError);
  sock.bind(port, address);
  return sock;
}
