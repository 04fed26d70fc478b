import { map, of, toArray, type Observable } from 'rxjs';
import { composeHandler } from '../../src/delivery/composeHandler.js';
import {
  createMiddlewareRegistry,
  handlerMiddleware,
  operatorMiddleware,
} from '../../src/transport/middleware.js';
import type { Middleware } from '../../src/transport/types.js';
import type { Delivery } from '../../src/delivery/types.js';
import { fakeDelivery } from './fakes.js';

const tagsOf = (d: Delivery): string[] => (d.context['tags'] as string[] | undefined) ?? [];

const tag =
  (name: string) =>
  (source: Observable<Delivery>): Observable<Delivery> =>
    source.pipe(map((d) => d.withContext({ tags: [...tagsOf(d), name] })));

const delivery = fakeDelivery({ type: 'event', contextID: 'c0' }).delivery;

const tagsAfter = (operator: (s: Observable<Delivery>) => Observable<Delivery>): string[] => {
  let tags: string[] = [];
  of(delivery)
    .pipe(operator, toArray())
    .subscribe(([d]) => (tags = (d?.context['tags'] as string[] | undefined) ?? []));
  return tags;
};

describe('transport/middleware', () => {
  it('applies global middleware first, then scoped, each in registration order', () => {
    const registry = createMiddlewareRegistry();
    registry.add(operatorMiddleware(tag('scoped-1')), { topic: 'orders.' });
    registry.add(operatorMiddleware(tag('global-1')));
    registry.add(operatorMiddleware(tag('exact')), { topic: 'orders.created' });
    registry.add(operatorMiddleware(tag('global-2')), { topic: '*' });
    registry.add(operatorMiddleware(tag('other')), { topic: 'users.' });
    expect(tagsAfter(registry.operatorFor('orders.created'))).toEqual([
      'global-1',
      'global-2',
      'scoped-1',
      'exact',
    ]);
    expect(tagsAfter(registry.operatorFor('users.x'))).toEqual(['global-1', 'global-2', 'other']);
  });

  it('pipes handler middleware as wrapHandlers, in registration order with operator middleware', () => {
    const registry = createMiddlewareRegistry();
    const order: string[] = [];
    registry.add(operatorMiddleware(tag('first')));
    registry.add(handlerMiddleware((next) => (d) => (order.push(`wrapper:${tagsOf(d).join(',')}`), next(d))));
    registry.add(operatorMiddleware(tag('last')));
    const { delivery: real } = fakeDelivery({ type: 'event', contextID: 'c1' });
    let seen: Delivery | undefined;
    of(real)
      .pipe(registry.operatorFor('t'))
      .subscribe((d) => (seen = d));
    expect(tagsOf(seen!)).toEqual(['first', 'last']);
    seen!.wrapHandler((d) => void order.push(`handler:${tagsOf(d).join(',')}`))(seen!);
    expect(order).toEqual(['wrapper:first,last', 'handler:first,last']);
  });

  it('reads the registrations when the operator is made: later ones apply to later subscriptions', () => {
    const registry = createMiddlewareRegistry();
    const before = registry.operatorFor('t');
    registry.add(operatorMiddleware(tag('late')));
    expect(tagsAfter(before)).toEqual([]);
    expect(tagsAfter(registry.operatorFor('t'))).toEqual(['late']);
  });

  it('removes a registration, once', () => {
    const registry = createMiddlewareRegistry();
    const remove = registry.add(operatorMiddleware(tag('a')));
    registry.add(operatorMiddleware(tag('b')));
    remove();
    remove();
    expect(tagsAfter(registry.operatorFor('t'))).toEqual(['b']);
  });

  it('refuses something that is not middleware', () => {
    const registry = createMiddlewareRegistry();
    for (const bad of [
      null,
      (() => undefined) as unknown,
      { kind: 'operator' },
      { kind: 'other', wrap: () => 1 },
    ]) {
      expect(() => registry.add(bad as Middleware)).toThrowError(TypeError);
    }
  });

  it('composes wrappers, first outermost', () => {
    const order: string[] = [];
    const handler = composeHandler(
      [
        (next) => (d) => {
          order.push('a');
          return next(d);
        },
        (next) => (d) => {
          order.push('b');
          return next(d);
        },
      ],
      () => void order.push('handler'),
    );
    handler(delivery);
    expect(order).toEqual(['a', 'b', 'handler']);
  });
});
