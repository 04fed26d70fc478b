import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { ConfigError } from '../../errors.js';

/** A parsed `host:port` address. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses an nsqd TCP address, `host:port` or `[ipv6]:port`.
 */
export const parseHostPort = (address: string): Either<ConfigError, HostPort> => {
  const colon = address.lastIndexOf(':');
  let host = colon > 0 ? address.slice(0, colon) : '';
  const portText = colon > 0 ? address.slice(colon + 1) : '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (host === '' || !(port >= 1 && port <= 65_535)) {
    return left(new ConfigError(`invalid nsqd address ${JSON.stringify(address)}: expected host:port`));
  }
  return right({ host, port });
};

/** An HTTP base URL for `address`: `host:port` gets `http://`; a URL is kept, without a trailing slash. */
export const httpUrl = (address: string): string =>
  /^https?:\/\//.test(address) ? address.replace(/\/$/, '') : `http://${address}`;
