import { serviceBehaviour } from './behaviour.js';

describe('service/createService', () => {
  serviceBehaviour('in-process');
  serviceBehaviour('over the bus');
});
