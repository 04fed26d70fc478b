/**
 * Node ids: short, random, safe inside topic and channel names.
 *
 * @packageDocumentation
 */

/** Longest node id: keeps `_reply.<nodeId>#ephemeral` well inside NSQ's 64 characters. */
export const MAX_NODE_ID_LENGTH = 20;

const NODE_ID_PATTERN = /^[a-zA-Z0-9_-]+$/;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * True when `value` can be a node id: 1–20 characters of `[a-zA-Z0-9_-]`.
 *
 * @example
 * ```ts
 * import { isValidNodeId } from 'rxmini';
 * isValidNodeId('auth-1'); // true
 * isValidNodeId('auth.1'); // false: a dot would make prefix subscriptions ambiguous
 * ```
 */
export const isValidNodeId = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length >= 1 &&
  value.length <= MAX_NODE_ID_LENGTH &&
  NODE_ID_PATTERN.test(value);

/**
 * A fresh random node id: `n` and 11 base-36 characters (about 57 bits), from
 * `crypto.getRandomValues` where available, else from `random`.
 */
export const newNodeId = (random: () => number = Math.random): string => {
  const bytes = new Uint8Array(11);
  const crypto = globalThis.crypto;
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return `n${Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length] ?? '0').join('')}`;
};
