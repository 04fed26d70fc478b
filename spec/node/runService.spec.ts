import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createMetrics } from '../../src/metrics/createMetrics.js';
import { runService } from '../../src/node/runService.js';
import { createService } from '../../src/service/createService.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';

/** Runs the fixture service in a child process; resolves with its stdout lines and how it ended. */
const runFixture = (
  onLine: (line: string, signal: (name: NodeJS.Signals) => void) => void,
): Promise<{ lines: string[]; code: number | null; signal: NodeJS.Signals | null; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'slowService.js')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        onLine(line, (name) => child.kill(name));
      }
    });
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not end by itself; it said: ${lines.join(' | ')} ${stderr}`));
    }, 10_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ lines, code, signal, stderr });
    });
  });

describe('node/runService', () => {
  it('drains on SIGTERM: the call in flight is answered, hooks run, and the process exits by itself with 0', async () => {
    const { lines, code, signal, stderr } = await runFixture((line, kill) => {
      if (line === 'in-flight') kill('SIGTERM');
    });
    expect(stderr).toBe('');
    expect(lines).toEqual([
      'started',
      'in-flight',
      'answered {"echo":"hi"}',
      'onStop',
      'stopped SIGTERM stopped',
      'closed',
    ]);
    expect(signal).toBeNull();
    expect(code).toBe(0);
  }, 15_000);

  it('stops on a signal it is given, removes its listeners, and closes the metrics endpoint', async () => {
    const transport = memoryTransport();
    const svc = createService({ name: 'quiet', version: 'v1', transport, metrics: createMetrics() });
    const before = process.listenerCount('SIGUSR2');
    let url = '';
    const run = runService(svc, {
      signals: ['SIGUSR2'],
      metricsPort: 0,
      onStarted: (server) => {
        url = server?.url ?? '';
        process.kill(process.pid, 'SIGUSR2');
      },
    });
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    await expectAsync(run).toBeResolvedTo({ signal: 'SIGUSR2' });
    expect(process.listenerCount('SIGUSR2')).toBe(before);
    expect(svc.state).toBe('stopped');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await expectAsync(fetch(url)).toBeRejected();
    await transport.close();
  });

  it('rejects, listening no more, when the service cannot start', async () => {
    const transport = memoryTransport();
    const svc = createService({ name: '', version: 'v1', transport });
    const before = process.listenerCount('SIGTERM');
    await expectAsync(runService(svc)).toBeRejectedWithError(/missing dependency: name/);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await transport.close();
  });
});
