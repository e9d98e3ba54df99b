// First-load figures of the console in headless Chromium (scripts/measure.sh runs it
// against a release build): every byte on the wire of a cold, signed-in load of
// /clusters (HTML, CSS, JS, wasm, as served), the time to network idle on loopback and on
// a 10 Mbit/s, 40 ms link, and what opening a cluster tab afterwards loads.
//   MEASURE_BASE=http://127.0.0.1:PORT MEASURE_COOKIES='name=value;name=value' node measure.mjs
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE = process.env.MEASURE_BASE;
const COOKIES = (process.env.MEASURE_COOKIES || '').split(';').filter(Boolean);
if (!BASE || COOKIES.length === 0) throw new Error('MEASURE_BASE and MEASURE_COOKIES must be set');
const QUIET_MS = 500;

function kind(url, mime) {
  if (url.endsWith('.wasm')) return 'wasm';
  if (url.endsWith('.js') || /javascript/.test(mime)) return 'js';
  if (url.endsWith('.css')) return 'css';
  if (/html/.test(mime)) return 'html';
  if (/json/.test(mime)) return 'json';
  return 'other';
}

// One cold load in a fresh profile: bytes per kind, requests, ms to the last response.
async function load(throttle) {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'polar-measure-')), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const url = new URL(BASE);
  await context.addCookies(COOKIES.map((c) => {
    const [name, ...v] = c.split('=');
    return { name: name.trim(), value: v.join('='), domain: url.hostname, path: '/' };
  }));
  const page = context.pages()[0] || await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttle) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8,
    });
  }
  const requests = new Map();
  let last = Date.now();
  cdp.on('Network.responseReceived', (e) => {
    const enc = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding');
    requests.set(e.requestId, { url: e.response.url, mime: e.response.mimeType, bytes: 0, body: 0, encoding: enc ? enc[1] : 'identity' });
  });
  cdp.on('Network.dataReceived', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.body += e.encodedDataLength;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
    last = Date.now();
  });
  const start = Date.now();
  await page.goto(`${BASE}/clusters`, { waitUntil: 'load' });
  while (Date.now() - last < QUIET_MS) await page.waitForTimeout(100);
  const idle = last - start;
  const hydrated = await page.evaluate(() => document.documentElement.getAttribute('data-hydrated'));
  const byKind = {};
  for (const r of requests.values()) {
    const k = kind(r.url, r.mime);
    byKind[k] = byKind[k] || { bytes: 0, count: 0, body: 0, encodings: new Set() };
    byKind[k].bytes += r.bytes;
    byKind[k].body += r.body;
    byKind[k].count += 1;
    byKind[k].encodings.add(r.encoding);
  }
  // Then, client-side, a cluster (its frame, overview and the code cluster pages share come
  // with it), then its parameters tab and its nodes tab: what each loads.
  let cluster = null;
  let tab = null;
  let next = null;
  if (!throttle) {
    const href = await page.getAttribute('[data-testid=cluster-table] tbody tr a[href^="/clusters/"]', 'href');
    const open = async (path, done) => {
      requests.clear();
      await page.evaluate((h) => {
        const a = document.createElement('a');
        a.href = h;
        document.body.appendChild(a);
        a.click();
      }, path);
      await page.waitForURL(done);
      last = Date.now();
      while (Date.now() - last < QUIET_MS) await page.waitForTimeout(100);
      const loaded = [...requests.values()];
      return {
        wasm: loaded.filter((r) => r.url.endsWith('.wasm')).map((r) => r.url.split('/').pop()),
        bytes: loaded.reduce((s, r) => s + r.bytes, 0),
        requests: loaded.length,
      };
    };
    const [path, query] = href.split('?');
    const tabOf = (t) => `${path}/${t}${query ? `?${query}` : ''}`;
    cluster = await open(href, (u) => u.pathname === path);
    tab = await open(tabOf('parameters'), (u) => u.pathname === `${path}/parameters`);
    next = await open(tabOf('nodes'), (u) => u.pathname === `${path}/nodes`);
  }
  await context.close();
  return { byKind, idle, hydrated, cluster, tab, next };
}

const kb = (b) => (b / 1024).toFixed(1);
const cold = await load(false);
const slow = await load(true);
console.log('cold, signed-in first load of /clusters (bytes on the wire, as served):');
let total = 0;
let count = 0;
for (const [k, v] of Object.entries(cold.byKind).sort()) {
  console.log(`  ${k.padEnd(6)} ${String(v.count).padStart(4)} requests ${kb(v.bytes).padStart(9)} KB (bodies ${kb(v.body)} KB, ${[...v.encodings].join('/')})`);
  total += v.bytes;
  count += v.count;
}
console.log(`  total  ${String(count).padStart(4)} requests ${kb(total).padStart(9)} KB`);
console.log(`hydrated pages: ${cold.hydrated ?? 'none'}`);
console.log(`network idle: ${cold.idle} ms on loopback, ${slow.idle} ms on 10 Mbit/s with 40 ms latency`);
const files = (t) => `${t.wasm.length} wasm files${t.wasm.includes('polar-console.wasm') ? ' (INCLUDING the main module)' : ''}: ${t.wasm.map((w) => w.replace(/_route_view_\d+/, '')).join(', ')}`;
console.log(`then a cluster: ${cold.cluster.requests} requests, ${kb(cold.cluster.bytes)} KB, ${files(cold.cluster)}`);
console.log(`then its parameters tab: ${cold.tab.requests} requests, ${kb(cold.tab.bytes)} KB, ${files(cold.tab)}`);
console.log(`then its nodes tab: ${cold.next.requests} requests, ${kb(cold.next.bytes)} KB, ${files(cold.next)}`);
