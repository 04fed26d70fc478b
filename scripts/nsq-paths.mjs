import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the nsqd/nsqlookupd binaries are cached: $RXMINI_NSQ_BIN, else ~/.cache/rxmini-nsq/v1.3.0. */
export const nsqBinDir = () =>
  process.env.RXMINI_NSQ_BIN ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rxmini-nsq', 'v1.3.0');
