import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The event's type and subject, from the body. */
  type: string;
  subject: string;
  /** What the receiver answered. */
  status?: number;
}

export interface Receiver {
  url: string;
  received: ReceivedHook[];
  close(): Promise<void>;
}

/**
 * A webhook subscriber on loopback: records each request, then answers with what
 * `respond` returns (which may wait, to hold a delivery in flight).
 */
export async function startReceiver(
  respond: (hook: ReceivedHook, index: number) => number | Promise<number> = () => 200,
): Promise<Receiver> {
  const received: ReceivedHook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = JSON.parse(body) as { type: string; subject: string };
      const hook: ReceivedHook = { headers: req.headers, body, type: parsed.type, subject: parsed.subject };
      const index = received.push(hook) - 1;
      const status = await respond(hook, index);
      hook.status = status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/repute`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
