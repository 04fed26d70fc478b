/**
 * Child processes of the integration specs: fixtures forked from
 * spec/integration/fixtures, taken down with the spec process whatever a spec
 * leaves running.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import process from 'node:process';

const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** Forks the compiled fixture `name` (e.g. `'echoService'`) with `args`, its output on the spec's. */
export const forkFixture = (name: string, args: readonly string[]): ChildProcess => {
  const child = fork(join(__dirname, '..', 'integration', 'fixtures', `${name}.js`), [...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  return child;
};

/** Resolves once `child` has exited (at once if it has). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** Kills every fixture still running and waits until they have exited. */
export const killChildren = async (): Promise<void> => {
  for (const child of alive) child.kill('SIGKILL');
  await Promise.all([...alive].map(exited));
};
