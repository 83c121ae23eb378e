// How every browser test and the page-load bench start Chromium: Debian's
// (CALM_CHROMIUM to use another), headless, without a sandbox (CI runs as
// root) and without its background network traffic.
export const CHROMIUM = process.env.CALM_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
