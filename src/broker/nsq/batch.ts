/**
 * Size of an MPUB body holding messages of the given sizes: a 4-byte count, then
 * a 4-byte length before each message. This is what nsqd checks against
 * `--max-body-size`.
 */
export const mpubBodySize = (messageSizes: readonly number[]): number =>
  messageSizes.reduce((total, size) => total + 4 + size, 4);

/**
 * Splits `items` (in order) into the fewest consecutive batches whose MPUB body
 * stays within `maxBodyBytes`. An item too large to share a batch goes alone
 * (a batch of one is sent as PUB, which only the per-message limit applies to).
 */
export const splitIntoBatches = <T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxBodyBytes: number,
): T[][] => {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentSize = 4;
  for (const item of items) {
    const added = 4 + sizeOf(item);
    if (current.length > 0 && currentSize + added > maxBodyBytes) {
      batches.push(current);
      current = [];
      currentSize = 4;
    }
    current.push(item);
    currentSize += added;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};
