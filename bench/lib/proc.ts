/**
 * CPU accounting of other processes (nsqd, the responder), from Linux's /proc.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat (100 on every Linux build that matters). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used, from /proc; NaN where that is not available. */
export const processCpuSeconds = (pid: number | undefined): number => {
  if (pid === undefined) return Number.NaN;
  try {
    // the command name may hold spaces: fields are counted after its closing parenthesis
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
};
