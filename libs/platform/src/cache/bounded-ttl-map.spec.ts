import { jest } from '@jest/globals';

import { BoundedTtlMap } from './bounded-ttl-map.js';

describe('BoundedTtlMap', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('should evict the oldest insertion when a new key would exceed the bound', () => {
    const m = new BoundedTtlMap<number>(2, 60_000);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3); // re-inserted: now the newest
    m.set('c', 4);
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([3, undefined, 4]);
  });

  it('should forget an entry once its TTL has passed and everything when cleared', () => {
    jest.useFakeTimers({ now: 0 });
    const m = new BoundedTtlMap<string>(10, 1_000);
    m.set('a', 'x');
    m.set('b', 'y');
    jest.setSystemTime(999);
    expect(m.get('a')).toBe('x');
    jest.setSystemTime(1_000);
    expect(m.get('a')).toBeUndefined();
    m.set('c', 'z');
    m.clear();
    expect(m.get('c')).toBeUndefined();
  });
});
