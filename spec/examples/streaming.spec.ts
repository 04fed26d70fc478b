/** Example 05 runs and does what its comment says. */
import { streamingReplies } from '../../examples/06-streaming-replies';

describe('examples', () => {
  it('05 streams the first rows, then the unsubscribe stops the generator near the window', async () => {
    const { rows, produced, stopped } = await streamingReplies();
    expect(rows).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(stopped).toBeTrue();
    // 3 consumed, at most 2 ahead: never the 1,000 it could make
    expect(produced).toBeLessThanOrEqual(5);
  });
});
