// Flags for any Chromium run as root in a container (karma's ChromeHeadless adds --headless).
// Shared by karma.conf.js (run directly) and scripts/find-chromium.mjs.
module.exports = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
