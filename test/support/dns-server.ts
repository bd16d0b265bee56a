import { createSocket } from 'node:dgram';

/**
 * A tiny authoritative DNS server on a loopback UDP port, answering TXT queries from a
 * table (RFC 1035 §4): what publishes a partner's DKIM key to Repute in the tests, spoken
 * to through the real resolver. Names it does not know get NXDOMAIN.
 */
export interface TestDns {
  /** `127.0.0.1:<port>`, for DKIM_DNS_SERVERS. */
  server: string;
  /** Publishes (or replaces) a TXT record. */
  setTxt(name: string, value: string): void;
  /** Names asked for so far, lower-cased. */
  queries: string[];
  close(): Promise<void>;
}

const TYPE_TXT = 16;

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(msg.toString('latin1', i + 1, i + 1 + len));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

/** A TXT record's data: character-strings of at most 255 bytes each. */
function txtData(value: string): Buffer {
  const bytes = Buffer.from(value, 'latin1');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

export async function startTestDns(): Promise<TestDns> {
  const records = new Map<string, string>();
  const queries: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (msg, peer) => {
    if (msg.length < 12) return;
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push(name);
    const question = msg.subarray(12, end + 4);
    const value = qtype === TYPE_TXT ? records.get(name) : undefined;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // the query's id
    const rd = msg[2]! & 0x01;
    // QR, AA, RD as asked, RA; RCODE 3 (NXDOMAIN) for a name it has nothing for.
    header.writeUInt16BE(0x8480 | (rd << 8) | (value === undefined ? 3 : 0), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(value === undefined ? 0 : 1, 6);
    const parts: Buffer[] = [header, question];
    if (value !== undefined) {
      const data = txtData(value);
      const answer = Buffer.alloc(12);
      answer.writeUInt16BE(0xc00c, 0); // the name, as a pointer to the question's
      answer.writeUInt16BE(TYPE_TXT, 2);
      answer.writeUInt16BE(1, 4); // IN
      answer.writeUInt32BE(60, 6);
      answer.writeUInt16BE(data.length, 10);
      parts.push(answer, data);
    }
    socket.send(Buffer.concat(parts), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    setTxt: (name, value) => records.set(name.toLowerCase(), value),
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
