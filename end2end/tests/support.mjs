// Shared by the end-to-end tests: start a real lockstep (release build, sandbox AWS that it
// starts itself, a fresh SQLite data dir) and a headless Debian Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// Servers this test file started: a page that never hydrates names what their logs said.
const servers = [];

export async function startLockstep(extraEnv = {}) {
  const bin = process.env.LOCKSTEP_BIN;
  if (!bin) throw new Error('LOCKSTEP_BIN is not set: run through ./scripts/test.sh');
  const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-e2e-'));
  const child = spawn(bin, ['serve', '--bind', '127.0.0.1:0'], {
    env: {
      ...process.env,
      LOCKSTEP_DATA_DIR: dataDir,
      LOCKSTEP_SANDBOX_ACM_WAIT: '6',
      LOCKSTEP_POLL_SECS: '0.5',
      // The free path's stand-in only where a test asks for it (sandboxlab.test.mjs).
      LOCKSTEP_SANDBOX_LAB: 'off',
      RUST_LOG: process.env.LOCKSTEP_E2E_RUST_LOG || 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lockstep did not start in 60 s:\n${log}`)), 60_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/running on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`lockstep exited (${code}):\n${log}`)); });
  });
  const server = {
    url,
    dataDir,
    log: () => log,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  servers.push(server);
  return server;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export const PASSWORD = 'correct horse battery staple';

// One signed-in browser context per lockstep server (cookies are per host, so one per test
// file's server): the first owner on a fresh server, else a new account with its own team.
const contexts = new Map();
async function signedInContext(browser, url) {
  const base = new URL(url).origin;
  if (contexts.has(base)) return contexts.get(base);
  const ctx = await browser.newContext();
  const form = { name: 'E2E Owner', email: `owner-${Date.now()}@example.ac.kr`, password: PASSWORD, team: 'E2E team' };
  // Like a form on lockstep's own page: the cross-site check wants the Origin.
  const headers = { Origin: base };
  const info = await (await ctx.request.post(`${base}/api/session_info`, { headers })).json();
  const endpoint = info.setup_needed ? 'setup_owner' : 'sign_up';
  const r = await ctx.request.post(`${base}/api/${endpoint}`, { form, headers });
  if (!r.ok()) throw new Error(`${endpoint}: ${r.status()} ${await r.text()}`);
  let out = await r.json();
  if (out.SignIn) {
    // A sign-up signs nobody in (it does not tell which addresses have accounts): sign in.
    const signIn = await ctx.request.post(`${base}/api/sign_in`, { form: { email: form.email, password: PASSWORD }, headers });
    out = await signIn.json();
  }
  if (!out.Done) throw new Error(`${endpoint}: ${JSON.stringify(out)}`);
  contexts.set(base, ctx);
  return ctx;
}

/// Opens a page as the server's signed-in owner and waits until the wasm has hydrated it.
export async function open(browser, url) {
  return openIn(await signedInContext(browser, url), url);
}

/// Opens a page in a given browser context (another person, or nobody signed in).
export async function openIn(ctx, url) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => { console.error('page error:', e.message); page.errors.push(e.message); });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    console.error('console error:', m.text());
    page.errors.push(m.text());
  });
  // What the browser asked for and did not get, named in the failure when the page never
  // hydrates (a console line says "404" but not for which file).
  page.misses = [];
  page.on('response', (r) => { if (r.status() >= 400) page.misses.push(`${r.status()} ${r.request().method()} ${r.url()} (${r.headers()['content-type']})`); });
  page.on('requestfailed', (r) => page.misses.push(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(url);
  try {
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  } catch (e) {
    const origin = new URL(url).origin;
    const said = servers.filter((s) => s.url === origin).flatMap((s) => s.log().split('\n').filter((l) => /pkg|WARN|ERROR/.test(l)).slice(-20));
    e.message += `\nrequests that failed: ${page.misses.join('; ') || 'none'}\nerrors: ${page.errors.join('; ') || 'none'}`
      + `\nthe server said about it:\n${said.join('\n') || '(nothing)'}`;
    throw e;
  }
  return page;
}

/// Closes the page, failing when the browser reported any error (a wasm panic, a hydration
/// mismatch, a failed request) while the test used it.
export async function closeClean(page) {
  const errors = page.errors;
  await page.close();
  if (errors.length) throw new Error(`the page reported errors:\n${errors.join('\n')}`);
}

/// The HTTPS lab's settings (LAB_* from DIR/lab.env), for tests that check against it.
export function labEnv() {
  const dir = process.env.LOCKSTEP_LAB_DIR;
  if (!dir) throw new Error('LOCKSTEP_LAB_DIR is not set: run through ./scripts/test.sh (it starts the lab)');
  const env = {};
  for (const line of readFileSync(join(dir, 'lab.env'), 'utf8').split('\n')) {
    const m = line.match(/^([A-Z_]+)=(.*)$/);
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  return env;
}

/// Fails when the server-rendered page at the page's URL sent the same data twice. The server
/// runs a Suspense's children more than once; a component there that made its own resource
/// fetched it anew each time, and the browser hydrated the first copy's data into the last
/// copy's HTML, which panicked when a run moved on in between (see app/src/once.rs).
export async function assertEachResourceOnce(page) {
  const html = await (await page.request.get(page.url())).text();
  const payloads = [...html.matchAll(/__RESOLVED_RESOURCES\[(\d+)\] = "((?:[^"\\]|\\.)*)"/g)].map((m) => m[2]);
  if (payloads.length < 5) throw new Error(`expected the page's resources in its HTML, found ${payloads.length}`);
  // Short answers ({"Ok":null}) may well repeat between different resources.
  const long = payloads.filter((p) => p.length > 40);
  const twice = long.filter((p, i) => long.indexOf(p) !== i);
  if (twice.length) {
    throw new Error(`${twice.length} of the page's ${payloads.length} resources were sent more than once, e.g. ${twice[0].slice(0, 200)}`);
  }
}

/// Types `value` into the new-project form's `field` (`instance`, `bucket`): where the form
/// offers a list of the team's own, chooses "type it instead" first (issue 22).
export async function typeInto(page, field, value) {
  await page.locator(`#${field}`).waitFor();
  if (await page.locator(`select#${field}`).count()) {
    await page.selectOption(`select#${field}`, '__type__');
    await page.locator(`input#${field}`).waitFor();
  }
  await page.fill(`input#${field}`, value);
}

/// Counts what a person does on a page: fields typed into, and clicks (a tick, a pick in a
/// list, a button). The flow under test goes through it, so the counts are the flow's own.
/// Extend it with any other action a flow needs (each counts as what a person would do).
export function counted(page) {
  const counts = { typed: 0, clicks: 0, log: [] };
  const note = (kind, what) => { counts[kind] += 1; counts.log.push(`${kind === 'typed' ? 'type' : 'click'} ${what}`); };
  return {
    counts,
    page,
    async fill(selector, value) { note('typed', selector); await page.fill(selector, value); },
    async click(selector) { note('clicks', selector); await page.click(selector); },
    async check(selector) { note('clicks', selector); await page.check(selector); },
    async select(selector, value) { note('clicks', selector); await page.selectOption(selector, value); },
  };
}

/// Opens a folded section of the project page as a person would, with a click on its summary
/// when it is closed: a wizard step by its key (`domain`, `path`, `instance_https`,
/// `load_balancer`, `certificate`, `frontend`, `check`) or a section after the steps
/// (`after-status`, `after-teardown`, `after-history`). The current step is open already.
export async function openStep(page, key) {
  const id = key.startsWith('after-') ? key : `wizard-${key}`;
  const section = page.locator(`[data-testid=${id}]`);
  await section.waitFor({ state: 'attached' });
  if (!(await section.evaluate((el) => el.open))) await section.locator(':scope > summary').click();
  await page.waitForFunction((sel) => document.querySelector(sel)?.open === true, `[data-testid=${id}]`);
}

/// Takes the free or the paid path in the wizard (`free` / `paid`) and waits until the page
/// shows that path's steps.
export async function choosePath(page, path) {
  await openStep(page, 'path');
  await page.click(`[data-testid=choose-${path}]`);
  await page.locator(`[data-testid=chosen-${path}]`).waitFor({ state: 'attached' });
  const step = path === 'paid' ? 'load_balancer' : 'instance_https';
  await page.locator(`[data-testid=wizard-${step}]`).waitFor({ state: 'attached' });
}
