import { map, of, toArray, type Observable } from 'rxjs';
import {
  composeHandler,
  createMiddlewareRegistry,
  handlerMiddleware,
  operatorMiddleware,
} from '../../src/transport/middleware.js';
import type { Delivery, Middleware } from '../../src/transport/types.js';

const tag =
  (name: string) =>
  (source: Observable<Delivery>): Observable<Delivery> =>
    source.pipe(
      map((d) => ({
        ...d,
        context: { ...d.context, tags: [...((d.context['tags'] as string[]) ?? []), name] },
      })),
    );

const delivery = { context: {} } as unknown as Delivery;

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

  it('keeps operator and handler middleware apart', () => {
    const registry = createMiddlewareRegistry();
    const wrap = (next: (d: Delivery) => void) => next;
    registry.add(handlerMiddleware(wrap));
    expect(registry.wrappersFor('t')).toEqual([wrap]);
    expect(tagsAfter(registry.operatorFor('t'))).toEqual([]);
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
