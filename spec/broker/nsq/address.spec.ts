import { ConfigError } from '../../../src/errors.js';
import { parseHostPort } from '../../../src/broker/nsq/address.js';

describe('parseHostPort', () => {
  it('parses host:port, names and bracketed IPv6', () => {
    expect(parseHostPort('127.0.0.1:4150')).toEqual({
      _tag: 'Right',
      right: { host: '127.0.0.1', port: 4150 },
    });
    expect(parseHostPort('nsqd.local:1')).toEqual({ _tag: 'Right', right: { host: 'nsqd.local', port: 1 } });
    expect(parseHostPort('[::1]:65535')).toEqual({ _tag: 'Right', right: { host: '::1', port: 65535 } });
  });

  it('rejects a missing host or port, and ports out of range', () => {
    for (const bad of [
      '',
      '4150',
      ':4150',
      '127.0.0.1',
      '127.0.0.1:',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      'h:12a',
      'h:-1',
    ]) {
      const parsed = parseHostPort(bad);
      expect(parsed._tag).withContext(bad).toBe('Left');
      if (parsed._tag === 'Left') expect(parsed.left).toBeInstanceOf(ConfigError);
    }
  });
});
