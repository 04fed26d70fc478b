import * as t from 'io-ts';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { createService } from '../../src/service/createService.js';
import { serviceBehaviour } from './behaviour.js';

describe('service/createService', () => {
  serviceBehaviour('in-process');
  serviceBehaviour('over the bus');

  it('consumes its action topics with its msgTimeoutMs', async () => {
    const transport = memoryTransport();
    const subscribeTopic = spyOn(transport, 'subscribeTopic').and.callThrough();
    const svc = createService({
      name: 'echo',
      version: 'v1',
      transport,
      msgTimeoutMs: 2_000,
      namespace: false,
    });
    svc.action('echo.say', t.type({}), () => ({}));
    await svc.start();
    expect(subscribeTopic).toHaveBeenCalledWith(
      'echo.say',
      jasmine.objectContaining({ msgTimeoutMs: 2_000 }),
    );
    await svc.stop();
    await transport.close();
  });

  it('rejects a bad svc.call with a BadRequestError (a timeout out of range, an input that is not an object)', async () => {
    const transport = memoryTransport();
    const svc = createService({ name: 'math', version: 'v1', transport, namespace: false });
    svc.action('math.add', t.type({ a: t.number, b: t.number }), ({ a, b }) => a + b);
    await svc.start();
    const bad = jasmine.objectContaining({ name: 'BadRequestError' });
    await expectAsync(svc.call('math.add', { a: 1, b: 2 }, { timeout: Number.NaN })).toBeRejectedWith(bad);
    await expectAsync(svc.call('math.add', 'one and two' as never)).toBeRejectedWith(bad);
    await expectAsync(svc.call('math.add', { a: 1, b: 2 })).toBeResolvedTo(3);
    expect(svc.metrics.export()['action.math.add.calls']).toBe(1);
    await svc.stop();
    await transport.close();
  });

  it('refuses a plain call (by name, an object, no options) when the default timeout is out of range, or the input is an array', async () => {
    const transport = memoryTransport();
    const svc = createService({
      name: 'math',
      version: 'v1',
      transport,
      namespace: false,
      requestTimeoutMs: -1,
    });
    const ok = createService({ name: 'calc', version: 'v1', transport, namespace: false });
    for (const service of [svc, ok]) {
      service.action(`${service.name}.add`, t.type({ a: t.number, b: t.number }), ({ a, b }) => a + b);
      await service.start();
    }
    const bad = jasmine.objectContaining({ name: 'BadRequestError' });
    await expectAsync(svc.call('math.add', { a: 1, b: 2 })).toBeRejectedWith(bad);
    await expectAsync(ok.call('calc.add', [1, 2] as never)).toBeRejectedWith(bad);
    await expectAsync(ok.call('calc.add', { a: 1, b: 2 })).toBeResolvedTo(3);
    expect(svc.metrics.export()['action.math.add.calls']).toBeUndefined();
    expect(ok.metrics.export()['action.calc.add.calls']).toBe(1);
    for (const service of [svc, ok]) await service.stop();
    await transport.close();
  });
});
