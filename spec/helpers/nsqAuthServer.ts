/**
 * A tiny nsqd auth server (the `--auth-http-address` protocol): nsqd calls
 * `GET /auth?remote_ip=…&tls=…&secret=…&common_name=…` and expects 200 with
 * `{ ttl, identity, identity_url, authorizations: [{ topic, channels, permissions }] }`
 * (nsq v1.3.0 internal/auth). Any non-200 answer makes nsqd refuse with E_AUTH_FAILED.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One query nsqd made. */
export interface AuthQuery {
  readonly secret: string;
  readonly tls: string;
  readonly remoteIp: string;
  readonly commonName: string;
}

/** A running auth server. */
export interface NsqAuthServer {
  /** `127.0.0.1:port`, for `--auth-http-address`. */
  readonly address: string;
  /** Queries received so far. */
  readonly queries: readonly AuthQuery[];
  close(): Promise<void>;
}

/**
 * Starts the auth server on a free 127.0.0.1 port. Secrets in `grants` get
 * publish + subscribe on every topic and channel; any other secret gets 403.
 */
export const startNsqAuthServer = (grants: readonly string[]): Promise<NsqAuthServer> => {
  const queries: AuthQuery[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/auth') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"NOT_FOUND"}');
      return;
    }
    const secret = url.searchParams.get('secret') ?? '';
    queries.push({
      secret,
      tls: url.searchParams.get('tls') ?? '',
      remoteIp: url.searchParams.get('remote_ip') ?? '',
      commonName: url.searchParams.get('common_name') ?? '',
    });
    if (!grants.includes(secret)) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"FORBIDDEN"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        ttl: 3600,
        identity: `user-${secret}`,
        identity_url: '',
        authorizations: [{ topic: '.*', channels: ['.*'], permissions: ['subscribe', 'publish'] }],
      }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        address: `127.0.0.1:${port}`,
        queries,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
};
