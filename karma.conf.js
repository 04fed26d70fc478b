// Runs the browser-safe core specs (bundled by scripts/bundle-browser-specs.mjs)
// in Debian's headless Chromium. Nothing here downloads a browser.
process.env.CHROME_BIN = process.env.CHROME_BIN || '/usr/bin/chromium';

module.exports = (config) => {
  config.set({
    frameworks: ['jasmine'],
    files: ['.build/browser/specs.js'],
    plugins: ['karma-jasmine', 'karma-chrome-launcher'],
    browsers: ['ChromiumHeadlessNoSandbox'],
    customLaunchers: {
      ChromiumHeadlessNoSandbox: {
        base: 'ChromeHeadless',
        flags: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      },
    },
    client: { jasmine: { random: true } },
    reporters: ['progress'],
    singleRun: true,
    autoWatch: false,
    browserNoActivityTimeout: 120000,
    captureTimeout: 120000,
    logLevel: config.LOG_WARN,
  });
};
