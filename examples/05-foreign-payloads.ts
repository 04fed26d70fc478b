/**
 * A topic fed by a producer that is not rxmini: plain JSON lines, checked by
 * an io-ts codec. The delivery's `input` is typed from the codec; a line the
 * codec refuses goes to `<topic>.dead` at once, its bytes kept. Publishing
 * with `{ payload: 'json' }` puts plain JSON on the wire, as such a producer would.
 */
import * as t from 'io-ts';
import { firstValueFrom, take, toArray } from 'rxjs';
import { HeaderKey, handleDeliveries, memoryTransport } from '../src/index.js';

const Click = t.type({ x: t.number, y: t.number });

export const foreignPayloads = async (): Promise<{ xs: number[]; rejected: string | undefined }> => {
  const bus = memoryTransport({ service: 'heatmap' });
  const clicks$ = bus.subscribeTopic('ui.clicks', { payload: Click });
  const xs = firstValueFrom(
    clicks$.pipe(
      handleDeliveries(() => undefined),
      take(2),
      toArray(),
    ),
  );
  const dead$ = bus.subscribeTopic('ui.clicks.dead');
  const rejected = firstValueFrom(dead$);
  await Promise.all([clicks$.ready, dead$.ready]);
  await bus.publish('ui.clicks', { x: 1, y: 2 }, { payload: 'json' });
  await bus.publish('ui.clicks', { x: 'left' }, { payload: 'json' });
  await bus.publish('ui.clicks', { x: 3, y: 4 }, { payload: 'json' });
  const handled = await xs;
  const letter = await rejected;
  letter.finish();
  await bus.close();
  return {
    xs: handled.map((h) => h.delivery.input.x),
    rejected: letter.message.header?.[HeaderKey.ERROR],
  };
};
