/**
 * Options shared by every nsqd connection (publisher and consumer), and their
 * translation into nsqjs options.
 *
 * @packageDocumentation
 */
import { TLSSocket } from 'node:tls';
import type * as nsq from 'nsqjs';
import { writerConnection } from './internals.js';

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
