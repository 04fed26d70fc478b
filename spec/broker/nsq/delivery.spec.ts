/**
 * The guard around acknowledgements, on real nsqjs Message objects (what they
 * write is observed through their `respond` event; nsqd's side is covered in
 * spec/integration/nsq-connection.spec.ts).
 */
import * as nsq from 'nsqjs';
import { createDelivery, type DeliveryHooks, type NsqDelivery } from '../../../src/broker/nsq/delivery.js';

const ID = '0123456789abcdef';

const rawMessage = (body: string, attempts = 1, timestampMs = 1_700_000_000_123): Buffer => {
  const raw = Buffer.alloc(26 + Buffer.byteLength(body));
  raw.writeBigInt64BE(BigInt(timestampMs) * 1_000_000n + 456n, 0);
  raw.writeUInt16BE(attempts, 8);
  raw.write(ID, 10, 'ascii');
  raw.write(body, 26);
  return raw;
};

/** Commands the message wrote, as text (`FIN <id>`, `REQ <id> <ms>`, `TOUCH <id>`). */
const written = (message: nsq.Message): string[] => {
  const commands: string[] = [];
  message.on('respond', (_type: number, wire: Buffer) => commands.push(wire.toString().trim()));
  return commands;
};

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('createDelivery', () => {
  let message: nsq.Message;
  let commands: string[];
  let open: boolean;
  let acknowledged: NsqDelivery[];
  let touched: number;
  let backoffs: number;
  let delivery: NsqDelivery;

  beforeEach(() => {
    message = new nsq.Message(rawMessage('hello', 3), 90_000, 60_000, 900_000);
    commands = written(message);
    backoffs = 0;
    message.on('backoff', () => (backoffs += 1));
    open = true;
    acknowledged = [];
    touched = 0;
    const hooks: DeliveryHooks = {
      isOpen: () => open,
      onAcknowledged: (d) => acknowledged.push(d),
      onTouched: () => (touched += 1),
    };
    delivery = createDelivery(message, 'orders', 'billing', hooks);
  });

  it('exposes id, attempts, timestamp in ms, body and names', () => {
    expect(delivery.id).toBe(ID);
    expect(delivery.attempts).toBe(3);
    expect(delivery.timestamp).toBe(1_700_000_000_123);
    expect(Buffer.from(delivery.body).toString()).toBe('hello');
    expect(delivery.topic).toBe('orders');
    expect(delivery.channel).toBe('billing');
    expect(delivery.state).toBe('pending');
  });

  it('sends one FIN however often finish and requeue are called in one tick', async () => {
    expect(delivery.finish()).toBeTrue();
    expect(delivery.finish()).toBeFalse();
    expect(delivery.requeue()).toBeFalse();
    expect(delivery.touch()).toBeFalse();
    await nextTick();
    await nextTick();
    expect(commands).toEqual([`FIN ${ID}`]);
    expect(delivery.state).toBe('finished');
    expect(acknowledged).toEqual([delivery]);
  });

  it('requeues with the delay and without putting the reader into backoff', async () => {
    expect(delivery.requeue(1500)).toBeTrue();
    expect(delivery.finish()).toBeFalse();
    await nextTick();
    expect(commands).toEqual([`REQ ${ID} 1500`]);
    expect(backoffs).toBe(0);
    expect(delivery.state).toBe('requeued');
  });

  it('requeues at once by default, and clamps odd delays to whole ms within 1 h', async () => {
    const other = new nsq.Message(rawMessage('x'), 90_000, 60_000, 900_000);
    const otherCommands = written(other);
    const hooks: DeliveryHooks = {
      isOpen: () => true,
      onAcknowledged: () => undefined,
      onTouched: () => undefined,
    };
    const third = new nsq.Message(rawMessage('y'), 90_000, 60_000, 900_000);
    const thirdCommands = written(third);
    delivery.requeue();
    createDelivery(other, 't', 'c', hooks).requeue(12.6);
    createDelivery(third, 't', 'c', hooks).requeue(10 * 60 * 60 * 1000);
    await nextTick();
    expect(commands).toEqual([`REQ ${ID} 0`]);
    expect(otherCommands).toEqual([`REQ ${ID} 13`]);
    expect(thirdCommands).toEqual([`REQ ${ID} 3600000`]);
  });

  it('touches while pending and reports it', async () => {
    expect(delivery.touch()).toBeTrue();
    await nextTick();
    expect(commands).toEqual([`TOUCH ${ID}`]);
    expect(touched).toBe(1);
  });

  it('does nothing once the consumer is closed', async () => {
    open = false;
    expect(delivery.finish()).toBeFalse();
    expect(delivery.requeue()).toBeFalse();
    expect(delivery.touch()).toBeFalse();
    await nextTick();
    expect(commands).toEqual([]);
    expect(delivery.state).toBe('pending');
  });
});
