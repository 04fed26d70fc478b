import { Fifo } from '../../../src/broker/memory/fifo';

describe('Fifo', () => {
  it('is empty at first', () => {
    const fifo = new Fifo<number>();
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });

  it('gives items back in the order they came', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.push('b');
    expect(fifo.shift()).toBe('a');
    fifo.push('c');
    expect(fifo.length).toBe(2);
    expect(fifo.shift()).toBe('b');
    expect(fifo.shift()).toBe('c');
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.length).toBe(0);
  });

  it('keeps its order across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i += 1) {
      fifo.push(i);
      if (i % 3 !== 0) out.push(fifo.shift() ?? -1);
    }
    while (fifo.length > 0) out.push(fifo.shift() ?? -1);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('empties on clear', () => {
    const fifo = new Fifo<number>();
    fifo.push(1);
    fifo.clear();
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });
});
