// Runs the compiled Jasmine specs (.build/spec) on Node and ends with one
// plain summary line: "node specs: N passed, N failed, N skipped".
import Jasmine from 'jasmine';
import { argv, exitCode } from 'node:process';
import process from 'node:process';

const filters = argv.slice(2);
const runner = new Jasmine({ projectBaseDir: process.cwd() });
runner.loadConfig({
  spec_dir: '.build/spec',
  spec_files: filters.length > 0 ? filters : ['**/*.spec.js'],
  env: { random: true, stopSpecOnExpectationFailure: false },
});
runner.exitOnCompletion = false;

const totals = { passed: 0, failed: 0, skipped: 0 };
const skippedIntegration = new Set();
runner.addReporter({
  specDone(result) {
    if (result.status === 'passed') totals.passed += 1;
    else if (result.status === 'failed') totals.failed += 1;
    else totals.skipped += 1;
    if (result.status === 'pending' && result.pendingReason.startsWith('SKIPPED: no nsqd')) {
      skippedIntegration.add(result.pendingReason);
    }
  },
  suiteDone(result) {
    // an error thrown in a describe body or a beforeAll/afterAll fails the suite
    if (result.status === 'failed') totals.failed += result.failedExpectations.length;
  },
});

const result = await runner.execute();
const ok =
  result.overallStatus === 'passed' ||
  (result.overallStatus === 'incomplete' && totals.failed === 0 && process.env.CI !== 'true');
if (skippedIntegration.size > 0) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n!!! INTEGRATION SPECS WERE SKIPPED: nothing here was tested against a real nsqd.`);
  for (const reason of skippedIntegration) console.log(`!!! ${reason}`);
  console.log(`${bar}\n`);
}
console.log(`node specs: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (result.overallStatus === 'incomplete')
  console.log(`jasmine: run incomplete (${result.incompleteReason})`);
process.exitCode = ok ? (exitCode ?? 0) : 1;
