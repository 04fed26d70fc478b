import * as E from 'fp-ts/lib/Either.js';
import { interpolateEnv } from '../../src/config/interpolateEnv.js';
import { ConfigError, MissingVariableError } from '../../src/errors.js';

describe('interpolateEnv', () => {
  const env = { HOST: 'db', EMPTY: '', PORT: '5432' };

  it('replaces ${VAR} with its value', () => {
    expect(interpolateEnv('${HOST}:${PORT}', env)).toEqual(E.right('db:5432'));
  });

  it('uses the default of ${VAR:-value} when VAR is unset or empty', () => {
    expect(interpolateEnv('${NOPE:-local host}', env)).toEqual(E.right('local host'));
    expect(interpolateEnv('${EMPTY:-fallback}', env)).toEqual(E.right('fallback'));
    expect(interpolateEnv('${HOST:-fallback}', env)).toEqual(E.right('db'));
    expect(interpolateEnv('${NOPE:-}', env)).toEqual(E.right(''));
  });

  it('a set but empty VAR without default gives ""', () => {
    expect(interpolateEnv('[${EMPTY}]', env)).toEqual(E.right('[]'));
  });

  it('$$ is a literal $, and a bare $ or $VAR is kept as written', () => {
    expect(interpolateEnv('$${HOST}', env)).toEqual(E.right('${HOST}'));
    expect(interpolateEnv('pa$word $HOST $', env)).toEqual(E.right('pa$word $HOST $'));
    expect(interpolateEnv('cost: $$5', env)).toEqual(E.right('cost: $5'));
  });

  it('an unset variable without default is a MissingVariableError naming it and the source', () => {
    const result = interpolateEnv('x ${DB_PASSWORD} ${OTHER}', env, 'config.json');
    if (E.isRight(result)) return fail('expected an error');
    expect(result.left).toBeInstanceOf(MissingVariableError);
    expect((result.left as MissingVariableError).variable).toBe('DB_PASSWORD');
    expect(result.left.message).toContain('DB_PASSWORD');
    expect(result.left.message).toContain('config.json');
  });

  it('a malformed or unterminated reference is a ConfigError', () => {
    for (const text of ['${1BAD}', '${A B}', '${}', 'x ${OPEN']) {
      const result = interpolateEnv(text, env, 'f.json');
      expect(E.isLeft(result) && result.left instanceof ConfigError)
        .withContext(text)
        .toBeTrue();
      expect(E.isLeft(result) && result.left.message)
        .withContext(text)
        .toContain('f.json');
    }
  });
});
