// Runs the browser-safe core specs (bundled by scripts/bundle-browser-specs.mjs)
// in a headless Chromium. `npm run test:browser` finds the browser first
// (scripts/find-chromium.mjs) and passes it as CHROME_BIN with its flags; run
// directly, karma uses CHROME_BIN or Debian's /usr/bin/chromium.
process.env.CHROME_BIN = process.env.CHROME_BIN || '/usr/bin/chromium';
const flags = process.env.RXMINI_CHROME_FLAGS
  ? JSON.parse(process.env.RXMINI_CHROME_FLAGS)
  : require('./scripts/chromium-flags.cjs');

/** Ends the run with one plain line: "browser specs: N passed, N failed, N skipped". */
const summaryReporter = function (baseReporterDecorator) {
  baseReporterDecorator(this);
  let skipped = 0;
  this.onSpecComplete = (_browser, result) => {
    if (result.skipped) skipped += 1;
  };
  this.onRunComplete = (_browsers, results) => {
    this.write(`browser specs: ${results.success} passed, ${results.failed} failed, ${skipped} skipped\n`);
  };
};
summaryReporter.$inject = ['baseReporterDecorator'];

module.exports = (config) => {
  config.set({
    frameworks: ['jasmine'],
    // the root entry's own browser bundle first (global `rxmini`), then the specs
    files: ['.build/browser/rxmini.js', '.build/browser/specs.js'],
    plugins: ['karma-jasmine', 'karma-chrome-launcher', { 'reporter:summary': ['type', summaryReporter] }],
    browsers: ['ChromiumHeadlessNoSandbox'],
    customLaunchers: {
      ChromiumHeadlessNoSandbox: {
        base: 'ChromeHeadless',
        flags,
      },
    },
    client: { jasmine: { random: true } },
    reporters: ['dots', 'summary'],
    singleRun: true,
    autoWatch: false,
    browserNoActivityTimeout: 120000,
    // The bundled Chromium runs --single-process: a long synchronous spec (fast-check
    // properties) on a loaded 2-core machine delays its socket.io pong past the 5 s
    // default, and karma dropped the browser mid-run (seen with specs running beside it).
    pingTimeout: 60000,
    browserDisconnectTimeout: 30000,
    captureTimeout: 120000,
    logLevel: config.LOG_WARN,
  });
};
