/**
 * Options shared by every nsqd connection (publisher and consumer), and their
 * translation into nsqjs options.
 *
 * @packageDocumentation
 */
import { isIP, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import type * as nsq from 'nsqjs';
import { writerConnection, type NsqdConnectionInternals } from './internals.js';

/** TLS to nsqd. PEM text or bytes for `key`, `cert` and `ca`. */
export interface NsqTlsOptions {
  /** Client private key (client-certificate auth). */
  readonly key?: string | Uint8Array;
  /** Client certificate (client-certificate auth). */
  readonly cert?: string | Uint8Array;
  /** CA that signed nsqd's certificate (default: the system roots). */
  readonly ca?: string | Uint8Array;
  /** Check nsqd's certificate; default true. Turn off only for tests with self-signed certificates. */
  readonly verify?: boolean;
}

/** Options every nsqd connection accepts. */
export interface NsqConnectionOptions {
  /**
   * TLS to nsqd (`true` for defaults). nsqd must offer TLS: a connection that
   * stays plaintext is refused, not silently used.
   */
  readonly tls?: NsqTlsOptions | boolean;
  /** Secret sent with AUTH (nsqd with `--auth-http-address`). */
  readonly authSecret?: string;
  /** Heartbeat interval nsqd uses towards this client, in seconds (1–60, default 30). */
  readonly heartbeatIntervalSec?: number;
  /** Client id shown in nsqd stats (default: the short host name). */
  readonly clientId?: string;
}

/** nsqjs connection options, including the TLS keys its types leave out. */
export interface NsqjsConnectionConfig extends nsq.ConnectionConfigOptions {
  key?: Buffer;
  cert?: Buffer;
  ca?: Buffer;
}

const DEFAULT_HEARTBEAT_SEC = 30;

const toBuffer = (value: string | Uint8Array | undefined): Buffer | undefined =>
  value === undefined
    ? undefined
    : typeof value === 'string'
      ? Buffer.from(value, 'utf8')
      : Buffer.from(value);

/** True when `options` ask for TLS. */
export const wantsTls = (options: NsqConnectionOptions): boolean =>
  options.tls !== undefined && options.tls !== false;

/**
 * The nsqjs options for `options`. The socket idle timeout is set to two
 * heartbeats plus 5 s, so a dead peer (nsqd sends a heartbeat every interval)
 * closes the connection instead of hanging it.
 */
export const nsqjsConnectionConfig = (options: NsqConnectionOptions): NsqjsConnectionConfig => {
  const heartbeat = options.heartbeatIntervalSec ?? DEFAULT_HEARTBEAT_SEC;
  const config: NsqjsConnectionConfig = {
    heartbeatInterval: heartbeat,
    idleTimeout: heartbeat * 2 + 5,
  };
  if (options.authSecret !== undefined) config.authSecret = options.authSecret;
  if (options.clientId !== undefined) config.clientId = options.clientId;
  if (wantsTls(options)) {
    const tls: NsqTlsOptions = typeof options.tls === 'object' ? options.tls : {};
    config.tls = true;
    config.tlsVerification = tls.verify ?? true;
    const key = toBuffer(tls.key);
    const cert = toBuffer(tls.cert);
    const ca = toBuffer(tls.ca);
    if (key) config.key = key;
    if (cert) config.cert = cert;
    if (ca) config.ca = ca;
  }
  return config;
};

/** True when the Writer's current connection runs over TLS. */
export const writerUsesTls = (writer: nsq.Writer): boolean =>
  writerConnection(writer)?.conn instanceof TLSSocket;

/** The nsqjs 0.13 `NSQDConnection` members {@link guardTlsConnection} replaces or reads. */
interface TlsConnectionInternals {
  nsqdHost?: unknown;
  config?: { tlsVerification?: boolean; ca?: Buffer | null; key?: Buffer | null; cert?: Buffer | null };
  startTLS?: (callback?: () => void) => void;
  registerStreamListeners?: (stream: TLSSocket) => void;
}

const GUARDED = Symbol('rxmini.tlsGuarded');

/** The two commands sent before TLS is negotiated: the protocol magic and IDENTIFY. */
const isHandshakeCommand = (data: Buffer | string): boolean => {
  const head = (typeof data === 'string' ? data : data.subarray(0, 9).toString('latin1')).slice(0, 9);
  return head === '  V2' || head === 'IDENTIFY\n';
};

/**
 * Makes one nsqjs connection that asked for TLS safe to use:
 *
 * - nsqjs starts TLS on the already open socket without a host name, so Node
 *   checks nsqd's certificate against `localhost` whenever nsqd was dialled by
 *   IP address (`127.0.0.1:4150`), and a correct certificate is refused. Here
 *   the certificate is checked against the address dialled (and SNI is sent
 *   for a DNS name).
 * - nsqjs carries on in plaintext when nsqd does not answer `tls_v1`, sending
 *   AUTH (the secret), SUB or PUB in clear. Here every command after IDENTIFY
 *   on a socket that is not TLS destroys the connection instead, so nothing but
 *   the handshake is ever sent in plaintext.
 *
 * Call on the connection before its socket exists (from `onWriterConnection` /
 * `onReaderConnection`). Idempotent.
 *
 * @returns false when `conn` is not the expected nsqjs 0.13 shape (left untouched).
 * @internal
 */
export const guardTlsConnection = (conn: NsqdConnectionInternals): boolean => {
  const target = conn as NsqdConnectionInternals & TlsConnectionInternals & { [GUARDED]?: true };
  if (target[GUARDED]) return true;
  const host = target.nsqdHost;
  const register = target.registerStreamListeners;
  const write = conn.write;
  if (
    typeof host !== 'string' ||
    typeof target.startTLS !== 'function' ||
    typeof register !== 'function' ||
    typeof write !== 'function' ||
    typeof target.config !== 'object'
  ) {
    return false;
  }
  target.startTLS = function startTlsForHost(this: typeof target, callback?: () => void): void {
    const socket = this.conn as Socket;
    // as nsqjs does: the TLS socket takes over the plain one's data, error and close
    for (const event of ['data', 'error', 'close']) socket.removeAllListeners(event);
    const config = this.config ?? {};
    const tlsConn = tlsConnect(
      {
        socket,
        host,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        rejectUnauthorized: config.tlsVerification ?? true,
        ...(config.ca ? { ca: config.ca } : {}),
        ...(config.key ? { key: config.key } : {}),
        ...(config.cert ? { cert: config.cert } : {}),
      },
      () => {
        this.conn = tlsConn;
        callback?.();
      },
    );
    this.outWriter = tlsConn;
    register.call(this, tlsConn);
  };
  conn.write = function writeOverTlsOnly(this: NsqdConnectionInternals, data: Buffer | string): void {
    if (!(this.conn instanceof TLSSocket) && !isHandshakeCommand(data)) {
      this.conn?.destroy(
        new Error('TLS was requested but nsqd did not negotiate it; refusing to send in plaintext'),
      );
      return;
    }
    write.call(this, data);
  };
  target[GUARDED] = true;
  return true;
};
