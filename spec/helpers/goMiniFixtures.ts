/**
 * Bytes the Go `mini` (rskv-p/mini) put on a real nsqd, captured in a run
 * (issue 12), and what rxmini must make of them.
 */
import type { Message } from '../../src/codec/message.js';

/** The four captured messages, one JSON text each, exactly as Go wrote them. */
export const GO_FIXTURES = {
  /** Every field: Go escapes `<`, `&`, `>`, sorts map keys, leaves nothing empty. */
  full: '{"type":"event","node":"user.created","contextID":"go-ctx-0001","replyTo":"go.replies","header":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","x-from":"go"},"body":{"id":7,"name":"Ada \\u003c\\u0026\\u003e","nested":{"nil":null,"ok":true},"ratio":0.5,"tags":["a","b"]},"statusCode":201}',
  /** `NewMessage("")` with a body: no `type`, the contextID Go's GetString turned into "null". */
  typeless: '{"contextID":"null","body":{"hello":"world"}}',
  /** `Broadcastf` of nothing: a contextID and no more. */
  bare: '{"contextID":"null"}',
  /** A file chunk: raw bytes as base64 in `rawBody`. */
  raw: '{"type":"stream","contextID":"go-raw-0001","rawBody":"AAEC/2hp"}',
} as const;

export type GoFixture = keyof typeof GO_FIXTURES;

/** What fixture `full` decodes to, in either mode. */
export const FULL_MESSAGE: Message = {
  type: 'event',
  node: 'user.created',
  contextID: 'go-ctx-0001',
  replyTo: 'go.replies',
  header: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-from': 'go' },
  body: { id: 7, name: 'Ada <&>', nested: { nil: null, ok: true }, ratio: 0.5, tags: ['a', 'b'] },
  statusCode: 201,
};

/** What fixture `raw` decodes to, in either mode: base64 `AAEC/2hp` is 00 01 02 ff 'h' 'i'. */
export const RAW_MESSAGE: Message = {
  type: 'stream',
  contextID: 'go-raw-0001',
  rawBody: new Uint8Array([0x00, 0x01, 0x02, 0xff, 0x68, 0x69]),
};

/** The error text a strict transport dead-letters a type-less message with (docs/migrating-from-go-mini.md). */
export const TYPELESS_STRICT_ERROR = 'cannot decode message: invalid message fields: type: required';

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
