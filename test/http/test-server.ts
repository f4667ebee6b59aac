import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Answers one request; `hit` counts the requests to this path so far, starting at 1. */
export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number, body: string) => void;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  route(path: string, handler: Handler): void;
  hits(path: string): number;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 with an ephemeral port; routes match the path without query. */
export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? '', url, headers: req.headers, body });
      const path = new URL(url, 'http://127.0.0.1').pathname;
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      const handler = routes.get(path);
      if (!handler) {
        sendJson(res, 404, errorEnvelope('req-unrouted', 'not_found', `No route for ${path}`));
        return;
      }
      handler(req, res, hit, body);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    route: (path, handler) => {
      routes.set(path, handler);
    },
    hits: (path) => hits.get(path) ?? 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(html)) });
  res.end(html);
}

export function errorEnvelope(requestId: string, code: string, message: string): Record<string, unknown> {
  return { type: 'error.list', request_id: requestId, errors: [{ code, message }] };
}
