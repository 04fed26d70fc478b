import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { InvalidNameError } from '../../src/errors.js';
import {
  EPHEMERAL_SUFFIX,
  MAX_NAME_LENGTH,
  isEphemeral,
  isValidChannel,
  isValidName,
  isValidTopic,
  validateChannel,
  validateTopic,
} from '../../src/broker/names.js';

const leftOf = <E, A>(either: Either<E, A>): E => {
  if (isRight(either)) throw new Error(`expected a Left, got Right(${String(either.right)})`);
  return either.left;
};

describe('transport names', () => {
  const valid = [
    'a',
    'orders.created',
    'A-Z_a-z.0-9',
    '...',
    '-',
    '_reply.node-1#ephemeral',
    'x'.repeat(MAX_NAME_LENGTH),
    'x'.repeat(MAX_NAME_LENGTH - EPHEMERAL_SUFFIX.length) + EPHEMERAL_SUFFIX,
  ];
  const invalid = [
    '',
    ' ',
    'a b',
    'a/b',
    'a:b',
    'a*',
    'a\n',
    '\na',
    'ünïcode',
    'x'.repeat(MAX_NAME_LENGTH + 1),
    'x'.repeat(MAX_NAME_LENGTH - EPHEMERAL_SUFFIX.length + 1) + EPHEMERAL_SUFFIX,
    '#ephemeral',
    'a#ephemeral#ephemeral',
    'a#Ephemeral',
    'a#ephemeralx',
    'a#other',
  ];

  it('accepts every name nsqd accepts, up to 64 characters with the suffix', () => {
    for (const name of valid) {
      expect(isValidName(name)).withContext(name).toBeTrue();
      expect(validateTopic(name)).withContext(name).toEqual({ _tag: 'Right', right: name });
      expect(validateChannel(name)).withContext(name).toEqual({ _tag: 'Right', right: name });
    }
  });

  it('rejects bad characters, empty and over-long names, and a misplaced suffix', () => {
    for (const name of invalid) {
      expect(isValidTopic(name)).withContext(JSON.stringify(name)).toBeFalse();
      expect(isValidChannel(name)).withContext(JSON.stringify(name)).toBeFalse();
      expect(isLeft(validateTopic(name)))
        .withContext(JSON.stringify(name))
        .toBeTrue();
    }
  });

  it('rejects values that are not strings without throwing', () => {
    for (const value of [undefined, null, 42, {}, ['a']]) {
      expect(isValidName(value)).toBeFalse();
      const err = leftOf(validateTopic(value));
      expect(err).toBeInstanceOf(InvalidNameError);
      expect(err.value).toBe(String(value));
    }
  });

  it('returns an InvalidNameError naming the kind and the value', () => {
    const topicErr = leftOf(validateTopic('a b'));
    expect(topicErr).toBeInstanceOf(InvalidNameError);
    expect(topicErr.code).toBe('INVALID_NAME');
    expect(topicErr.kind).toBe('topic');
    expect(topicErr.value).toBe('a b');
    const channelErr = leftOf(validateChannel('c/d'));
    expect(channelErr.kind).toBe('channel');
    expect(channelErr.value).toBe('c/d');
  });

  it('tells ephemeral names apart', () => {
    expect(isEphemeral('n1#ephemeral')).toBeTrue();
    expect(isEphemeral('n1.ephemeral')).toBeFalse();
  });
});
