/**
 * The check every sender-given file name goes through before a receiver uses it.
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import { InvalidPathError } from '../errors.js';

/**
 * Longest file name accepted, in UTF-8 bytes: 255, the limit of most file
 * systems (ext4, APFS, NTFS in UTF-16 units).
 *
 * @example
 * ```ts
 * import { MAX_FILE_NAME_BYTES } from 'rxmini';
 * MAX_FILE_NAME_BYTES; // 255
 * ```
 */
export const MAX_FILE_NAME_BYTES = 255;

/** Windows device names, refused with any extension (`con.txt` opens the console there). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;
/** C0 and C1 control characters, DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidirectional overrides and invisible marks, which make a name display as another. */
const DECEPTIVE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
/** Characters Windows refuses in a name (`:` also makes drive paths and NTFS streams). */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;

const utf8 = new TextEncoder();

const refuse = (name: string, reason: string): E.Either<InvalidPathError, never> =>
  E.left(new InvalidPathError(name, { reason }));

/**
 * The sender's file name if it is safe to use as one path component in a
 * receiver's directory, else an {@link InvalidPathError} saying why. Refused:
 * an empty name, a name longer than {@link MAX_FILE_NAME_BYTES}, path
 * separators (`/`, `\`), hence absolute paths and `..`; a leading `.` (`.`,
 * `..`, hidden files, the receiver's own temp files); NUL and every control
 * byte; bidi overrides and invisible characters; the characters Windows
 * refuses (`<>:"|?*`, so no drive letters or streams); a trailing dot or
 * space; Windows device names (`CON`, `nul.txt`, `COM1`, …). The name is
 * never repaired: a name that would need fixing is refused.
 *
 * @example
 * ```ts
 * import { checkFileName } from 'rxmini';
 * checkFileName('report.pdf'); // Right('report.pdf')
 * checkFileName('../etc/passwd'); // Left(InvalidPathError: … path separator)
 * ```
 */
export const checkFileName = (name: unknown): E.Either<InvalidPathError, string> => {
  if (typeof name !== 'string') return refuse(String(name), 'not a string');
  if (name === '') return refuse(name, 'empty');
  if (utf8.encode(name).length > MAX_FILE_NAME_BYTES) {
    return refuse(name, `longer than ${MAX_FILE_NAME_BYTES} bytes`);
  }
  if (CONTROL.test(name)) return refuse(name, 'contains a NUL or control character');
  if (name.includes('/') || name.includes('\\')) return refuse(name, 'contains a path separator');
  if (name.startsWith('.')) return refuse(name, 'starts with a dot (., .., hidden or temporary files)');
  if (name.includes('..')) return refuse(name, 'contains ..');
  if (WINDOWS_FORBIDDEN.test(name)) return refuse(name, 'contains a character Windows refuses (<>:"|?*)');
  if (DECEPTIVE.test(name)) return refuse(name, 'contains a bidirectional override or invisible character');
  if (/[. ]$/.test(name)) return refuse(name, 'ends with a dot or space');
  if (name.trim() !== name) return refuse(name, 'starts with white space');
  if (RESERVED.test(name)) return refuse(name, 'is a Windows device name');
  return E.right(name);
};
