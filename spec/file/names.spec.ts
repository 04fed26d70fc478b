import * as E from 'fp-ts/lib/Either.js';
import { InvalidPathError } from '../../src/errors.js';
import { checkFileName, MAX_FILE_NAME_BYTES } from '../../src/file/names.js';
import { HOSTILE_NAMES } from '../helpers/hostileNames.js';

describe('checkFileName', () => {
  it('accepts plain names', () => {
    for (const name of [
      'report.pdf',
      'a',
      'photo 2024-01-01.jpeg',
      'résumé.txt',
      'x'.repeat(MAX_FILE_NAME_BYTES),
      'con-tract.txt',
    ]) {
      expect(checkFileName(name)).withContext(name).toEqual(E.right(name));
    }
  });

  it('refuses every hostile name with an InvalidPathError saying why', () => {
    for (const name of HOSTILE_NAMES) {
      const result = checkFileName(name);
      expect(E.isLeft(result)).withContext(JSON.stringify(name)).toBeTrue();
      if (E.isLeft(result)) {
        expect(result.left).toBeInstanceOf(InvalidPathError);
        expect(result.left.path).toBe(name);
        expect(result.left.reason).toEqual(jasmine.any(String));
      }
    }
  });

  it('refuses what is not a string', () => {
    expect(E.isLeft(checkFileName(42))).toBeTrue();
    expect(E.isLeft(checkFileName(undefined))).toBeTrue();
  });
});
