/**
 * Deliveries for in-process calls: a real {@link Delivery} (the same pipe
 * handles it) over no broker, with no encoding.
 *
 * @packageDocumentation
 */
import type { SchedulerLike } from 'rxjs';
import type { JsonObject } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import { HeaderKey, MessageType } from '../constant/index.js';
import { createDelivery } from '../delivery/delivery.js';
import type { Delivery } from '../delivery/types.js';
import type { ILogger } from '../logger/types.js';
import type { BrokerDelivery } from '../broker/types.js';

/** The `replyTo` of an in-process call: the answer goes to the waiting caller, not to a topic. */
export const LOCAL_REPLY_TO = '_local';

/** What makes one in-process delivery. */
export interface LocalCall {
  readonly action: string;
  readonly channel: string;
  readonly contextID: string;
  readonly body: JsonObject;
  readonly header: Readonly<Record<string, string>> | undefined;
  /** The caller's budget, in ms: the delivery's deadline, as `x-deadline` is over the bus. */
  readonly timeout: number;
  /** 1 on the first delivery; more after a requeue. */
  readonly attempts: number;
  /** When the call was made (kept across requeues, as the broker keeps it). */
  readonly timestamp: number;
  readonly scheduler: SchedulerLike;
  readonly logger: ILogger;
  /** What a requeue does (deliver it again after `delayMs`). */
  readonly onRequeue: (delayMs: number) => void;
}

/** A delivery of an in-process call, as the transport would make of the same request. */
export const localDelivery = (call: LocalCall): Delivery => {
  const message: Message = {
    type: MessageType.REQUEST,
    node: call.action,
    contextID: call.contextID,
    replyTo: LOCAL_REPLY_TO,
    header: { ...call.header, [HeaderKey.DEADLINE]: String(Math.floor(call.timeout)) },
    body: call.body,
  };
  const raw: BrokerDelivery = {
    id: call.contextID,
    topic: call.action,
    channel: call.channel,
    attempts: call.attempts,
    timestamp: call.timestamp,
    body: EMPTY_BODY,
    finish: () => true,
    requeue: (delayMs = 0) => {
      call.onRequeue(delayMs);
      return true;
    },
    touch: () => true,
  };
  return createDelivery(raw, message, { scheduler: call.scheduler, logger: call.logger });
};

const EMPTY_BODY = new Uint8Array(0);
