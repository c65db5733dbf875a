// Page weight (issue 22): what four pages download and how soon they paint and answer, in
// headless Chromium with the network throttled to DevTools' "Fast 3G" profile. Run through
// scripts/bench-page-weight.sh (it builds the site and sets LOCKSTEP_BIN / LOCKSTEP_SITE_ROOT).
//
// Pages: the first-account setup page (a fresh server, nobody signed in), the new-project page
// and a project's page (signed in), and the project's public status page (no wasm at all).
// Each page is loaded RUNS times (default 3) in a fresh browser context (empty cache) and the
// median of each figure is printed.
//
// What is measured, per page:
// - bytes: what crossed the network for the page (CDP `Network.loadingFinished`'s
//   encodedDataLength: compressed bodies plus headers), by type: wasm, js, css, html, and
//   "data" (server-function calls, the live event stream's first bytes, anything else);
// - FCP: the browser's first-contentful-paint entry (PerformanceObserver 'paint');
// - TTI, "interactive": the moment the page answers a click, i.e. the wasm (and, with lazy
//   pages, the page's own chunk) has been fetched, instantiated and hydration has finished.
//   lockstep marks exactly that moment by setting `body[data-hydrated="true"]` (frontend/);
//   an init script records `performance.now()` when the attribute appears. For the status page,
//   which has no script, it is DOMContentLoaded (the HTML is parsed; its links work then).
//   Both are milliseconds from the start of navigation.
import { startLockstep, launchBrowser, PASSWORD } from '../tests/support.mjs';

// DevTools' / Lighthouse's Fast 3G: 562.5 ms round trip, 1.6 Mbps down and 750 kbps up, each
// times 0.9 as DevTools applies them (180,000 and 84,375 bytes/s).
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 };
const RUNS = Number(process.env.RUNS || 3);

function kind(url, mime, type) {
  if (/\.wasm(\?|$)/.test(url) || mime === 'application/wasm') return 'wasm';
  if (type === 'Document') return 'html';
  if (type === 'Script' || /javascript/.test(mime)) return 'js';
  if (type === 'Stylesheet' || mime === 'text/css') return 'css';
  return 'data';
}

async function measure(browser, url, cookies, hasWasm) {
  const ctx = await browser.newContext();
  if (cookies.length) await ctx.addCookies(cookies);
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.body && document.body.getAttribute('data-hydrated') === 'true') {
        window.__interactiveAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
  });
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  const requests = new Map();
  const bytes = { wasm: 0, js: 0, css: 0, html: 0, data: 0 };
  const wasmFiles = new Set();
  cdp.on('Network.responseReceived', (e) => requests.set(e.requestId, { url: e.response.url, mime: e.response.mimeType, type: e.type }));
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (!r) return;
    const k = kind(r.url, r.mime, r.type);
    bytes[k] += e.encodedDataLength;
    if (k === 'wasm') wasmFiles.add(new URL(r.url).pathname);
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: 'load', timeout: 180_000 });
  if (hasWasm) await page.waitForSelector('body[data-hydrated="true"]', { timeout: 180_000 });
  // Requests the hydrated page makes at once (server functions) still count: give them time.
  await page.waitForTimeout(3000);
  const t = await page.evaluate(() => {
    const fcp = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
    const nav = performance.getEntriesByType('navigation')[0];
    return { fcp: fcp ? fcp.startTime : NaN, interactive: window.__interactiveAt ?? nav.domContentLoadedEventEnd };
  });
  await ctx.close();
  if (errors.length) throw new Error(`${url}: the page reported errors: ${errors.join('; ')}`);
  return { ...t, bytes, wasmFiles: [...wasmFiles] };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const server = await startLockstep({ RUST_LOG: 'warn' });
  const browser = await launchBrowser();
  const base = server.url;
  const results = [];
  const run = async (name, path, cookies, hasWasm) => {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, base + path, cookies, hasWasm));
    results.push({ name, path, runs });
    process.stderr.write(`measured ${name}\n`);
  };
  try {
    // The setup page first: only a server with no account shows it.
    await run('setup', '/setup', [], true);

    // The owner, a project with a zone and a published status page with a few checks (like
    // scripts/bench-status.sh), through the same API the pages use.
    const api = await browser.newContext();
    const headers = { Origin: base };
    const post = async (fn, form = {}) => {
      const r = await api.request.post(`${base}/api/${fn}`, { form, headers });
      if (!r.ok()) throw new Error(`${fn}: ${r.status()} ${await r.text()}`);
      return r.json();
    };
    await post('setup_owner', { name: 'Bench', email: 'bench@example.ac.kr', password: PASSWORD, team: 'Bench' });
    const team = (await post('session_info')).me.teams[0].id;
    const project = (await post('create_project', {
      team_id: team, name: 'bench-shop', region: 'ap-northeast-2', instance: '54.180.1.2', app_port: '8000',
      health_path: '/health', bucket: 'bench-shop-web', framework: 'django',
    })).Created;
    const zone = (await post('list_zones', { project_id: project })).find((z) => z.name === 'lockstep-demo.com').id;
    await post('choose_zone', { project_id: project, zone_id: zone });
    await post('save_status_settings', { project_id: project, public: 'on', slug: 'bench-shop', interval_minutes: '60' });
    await post('check_status_now', { project_id: project });
    for (let i = 0; i < 300; i++) {
      const last = (await post('status_settings', { project_id: project })).last_run;
      if (last && last.status !== 'active') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const cookies = await api.cookies();
    await api.close();

    await run('new project', '/projects/new', cookies, true);
    await run('project', `/projects/${project}`, cookies, true);
    await run('status (public)', '/status/bench-shop', [], false);
  } finally {
    await browser.close();
    await server.stop();
  }

  const kb = (b) => (b / 1000).toFixed(1);
  console.log(`Fast 3G (562.5 ms RTT, 180,000 B/s down, 84,375 B/s up), headless Chromium, median of ${RUNS} cold loads`);
  console.log('| page | wasm KB | js KB | css KB | html KB | data KB | total KB | FCP ms | interactive ms | wasm files |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const { name, runs } of results) {
    const m = (f) => median(runs.map(f));
    const total = (r) => Object.values(r.bytes).reduce((a, b) => a + b, 0);
    console.log(`| ${name} | ${kb(m((r) => r.bytes.wasm))} | ${kb(m((r) => r.bytes.js))} | ${kb(m((r) => r.bytes.css))} | `
      + `${kb(m((r) => r.bytes.html))} | ${kb(m((r) => r.bytes.data))} | ${kb(m(total))} | ${Math.round(m((r) => r.fcp))} | `
      + `${Math.round(m((r) => r.interactive))} | ${runs[0].wasmFiles.length} |`);
  }
  if (process.env.PAGE_WEIGHT_JSON) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env.PAGE_WEIGHT_JSON, JSON.stringify(results, null, 2));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
