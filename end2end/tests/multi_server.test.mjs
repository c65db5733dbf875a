// Several servers on one PostgreSQL database and one moto: the browser is on server A, a
// web-only server (no job workers), while server B claims and runs every step of the
// certificate run. A's timeline must follow each state change live, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { startLockstep, launchBrowser, open, closeClean, typeInto, openStep } from './support.mjs';

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const listening = (port) => new Promise((resolve) => {
  const c = connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
  c.on('error', () => resolve(false));
});

let moto;
let a;
let b;
let browser;
before(async () => {
  const pg = process.env.LOCKSTEP_E2E_PG_URL;
  if (!pg) throw new Error('LOCKSTEP_E2E_PG_URL is not set: run through ./scripts/test.sh (it starts a throwaway PostgreSQL)');
  const db = `e2e_${process.pid}_${Date.now()}`;
  execFileSync('psql', [pg, '-qc', `CREATE DATABASE ${db}`]);
  const dbUrl = pg.replace(/\/[^/]*$/, `/${db}`);

  const port = await freePort();
  moto = spawn(process.env.LOCKSTEP_MOTO_SERVER || 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ACM_VALIDATION_WAIT: '4' }, stdio: 'ignore',
  });
  for (let i = 0; i < 150 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 200));
  const shared = {
    LOCKSTEP_DATABASE_URL: dbUrl,
    LOCKSTEP_SANDBOX_ENDPOINT: `http://127.0.0.1:${port}`,
    LOCKSTEP_SANDBOX_ACCOUNT: '111122223333',
    LOCKSTEP_LEASE_SECS: '10',
  };
  a = await startLockstep({ ...shared, LOCKSTEP_WORKERS: '0' });
  b = await startLockstep({ ...shared, LOCKSTEP_WORKERS: '4' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await a?.stop();
  await b?.stop();
  moto?.kill('SIGTERM');
});

test('a browser on a web-only server sees, live, a run that another server executes', async () => {
  const page = await open(browser, `${a.url}/projects/new`);
  await page.fill('#name', 'cluster-team');
  await typeInto(page, 'instance', '54.180.1.2');
  await page.fill('#app_port', '8000');
  await typeInto(page, 'bucket', 'cluster-team-frontend');
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);
  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).first().getAttribute('value');
  await page.selectOption('[data-testid=zone-select]', zone);
  await page.click('[data-testid=choose-zone]');
  await page.waitForSelector('[data-testid=name-plan]', { timeout: 30_000, state: 'attached' });
  await openStep(page, 'certificate');

  // Record every status the certificate steps show, as the page changes (no reload).
  await page.evaluate(() => {
    window.__seen = [];
    const note = () => document.querySelectorAll('[data-testid^="step-cert."]').forEach((el) => {
      const s = `${el.dataset.testid}=${el.dataset.status}`;
      if (!window.__seen.includes(s)) window.__seen.push(s);
    });
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
    note();
  });
  const navigations = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  await page.click('[data-testid=start-certificate]');
  await page.waitForSelector('[data-testid="step-cert.await_issued"][data-status=succeeded]', { timeout: 60_000, state: 'attached' });
  const seen = await page.evaluate(() => window.__seen);
  assert.deepEqual(navigations, [], 'no reload');
  for (const step of ['cert.request', 'cert.await_records', 'cert.upsert_validation', 'cert.await_dns', 'cert.await_issued']) {
    assert.ok(seen.includes(`step-${step}=succeeded`), `${step} seen succeeded: ${seen}`);
  }
  assert.ok(seen.some((s) => /=(running|waiting|pending|queued)$/.test(s)), `intermediate states seen live: ${seen}`);
  // Server A has no job workers, so the run finishing at all means B ran every step.
  await closeClean(page);
});
