/**
 * Throwaway TLS material for integration specs, made with the `openssl` CLI:
 * a CA, a server certificate for 127.0.0.1 and a client certificate, all
 * signed by that CA (P-256 keys, valid one day), in a fresh temp dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths and PEM text of the generated files. */
export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** CA certificate (PEM). */
  readonly ca: string;
  /** Client certificate (PEM), CN `rxmini-client`. */
  readonly clientCert: string;
  /** Client private key (PEM). */
  readonly clientKey: string;
  /** Removes the temp dir. */
  remove(): void;
}

/** Why TLS specs cannot run here, or undefined when `openssl` is usable. */
export const opensslUnavailable = (): string | undefined => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return `no usable openssl CLI (${error instanceof Error ? error.message : String(error)})`;
  }
};

const openssl = (dir: string, args: readonly string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Generates a CA plus server (IP 127.0.0.1) and client certificates signed by it. */
export const createTestPki = (): TestPki => {
  const dir = mkdtempSync(join(tmpdir(), 'rxmini-pki-'));
  try {
    openssl(dir, [
      'req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1',
      '-subj', '/CN=rxmini-test-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]); // prettier-ignore
    const issue = (name: string, cn: string, extensions: string): void => {
      writeFileSync(join(dir, `${name}.ext`), extensions);
      openssl(dir, ['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
      openssl(dir, [
        'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
        '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`,
      ]); // prettier-ignore
    };
    issue(
      'server',
      '127.0.0.1',
      'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
    );
    issue('client', 'rxmini-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl failed: ${error instanceof Error ? error.message : String(error)}\n${stderr}`);
  }
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server.key'),
    ca: read('ca.pem'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};
