import { isValidName } from '../../src/broker/names.js';
import { MAX_NODE_ID_LENGTH, isValidNodeId, newNodeId } from '../../src/transport/nodeId.js';

describe('transport/nodeId', () => {
  it('makes short, distinct ids that fit in reply topics and broadcast channels', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => newNodeId()));
    expect(ids.size).toBe(1_000);
    for (const id of ids) {
      expect(isValidNodeId(id)).toBeTrue();
      expect(id.length).toBeLessThanOrEqual(MAX_NODE_ID_LENGTH);
      expect(isValidName(`_reply.${id}#ephemeral`)).toBeTrue();
    }
  });

  it('accepts 1-20 characters of [a-zA-Z0-9_-] only', () => {
    expect(isValidNodeId('auth-1_A')).toBeTrue();
    for (const bad of ['', 'a.b', 'a b', 'x'.repeat(21), 'a#ephemeral', 7, undefined]) {
      expect(isValidNodeId(bad)).toBeFalse();
    }
  });
});
