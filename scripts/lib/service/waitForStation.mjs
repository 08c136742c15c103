#!/usr/bin/env node
// The kiosk's ExecStartPre: wait until the station answers /healthz (any HTTP answer: a degraded station still
// serves the Live page), so the browser never opens on an error page. Plain Node: runs with no dependencies.
const [url, seconds = '300'] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: waitForStation.mjs <health-url> [seconds]\n');
  process.exit(2);
}
const deadline = Date.now() + Number(seconds) * 1000;
for (;;) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    process.exit(0);
  } catch {
    if (Date.now() > deadline) {
      process.stderr.write(`the station did not answer ${url} within ${seconds} s\n`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
