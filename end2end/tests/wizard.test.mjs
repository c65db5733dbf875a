// The foundation's browser journey in real Chromium: field errors on the project form, a new
// project, its domain, and the certificate step reaching ISSUED live, surviving a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, open, closeClean, assertEachResourceOnce, typeInto, openStep } from './support.mjs';

let server;
let browser;
before(async () => {
  server = await startLockstep();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function fillProject(page, values) {
  for (const [field, value] of Object.entries(values)) {
    if (field === 'region' || field === 'framework') await page.selectOption(`#${field}`, value);
    else if (field === 'instance' || field === 'bucket') await typeInto(page, field, value);
    else await page.fill(`#${field}`, value);
  }
}

test('pages carry a Content Security Policy with a nonce and hydrate under it', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  // Watch for violations from the very start of a fresh load of the page.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const res = await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  const headers = res.headers();
  const csp = headers['content-security-policy'] || '';
  const nonce = (csp.match(/'nonce-([A-Za-z0-9_-]+)'/) || [])[1];
  assert.ok(nonce, `no nonce in the page's policy: ${csp}`);
  assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['referrer-policy'], 'same-origin');
  // The hydration script is the one the policy allows.
  assert.equal(await page.evaluate(() => document.querySelector('script[type=module]')?.nonce), nonce);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(page.errors.filter((e) => /Content Security Policy/i.test(e)), []);
  await closeClean(page);
});

test('bad project input shows an error next to each field and saves nothing', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  await fillProject(page, { name: 'shop', instance: '10.0.0.7', app_port: '70000', health_path: 'health', bucket: 'Bad_Bucket' });
  await page.click('[data-testid=create-project]');
  await page.waitForSelector('[data-testid=error-instance]');
  assert.match(await page.textContent('[data-testid=error-instance]'), /private or reserved/);
  assert.match(await page.textContent('[data-testid=error-app_port]'), /65535/);
  assert.match(await page.textContent('[data-testid=error-health_path]'), /\/health/);
  assert.match(await page.textContent('[data-testid=error-bucket]'), /lower-case/);
  assert.equal(await page.locator('[data-testid=error-name]').count(), 0, 'the good field has no error');
  // Nothing the user typed is lost.
  assert.equal(await page.inputValue('#instance'), '10.0.0.7');
  assert.equal(await page.inputValue('#bucket'), 'Bad_Bucket');
  // And nothing was saved.
  const list = await open(browser, server.url);
  await list.waitForSelector('text=No projects yet.');
  await closeClean(list);
  await closeClean(page);
});

test('create a project, pick the zone, and watch the certificate reach ISSUED live', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  await fillProject(page, {
    name: 'capstone-shop', region: 'ap-northeast-2', instance: 'i-0123456789abcdef0', framework: 'django',
    app_port: '8000', health_path: '/health', bucket: 'capstone-shop-frontend',
  });
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);
  assert.equal(await page.textContent('[data-testid=project-name]'), 'capstone-shop');
  assert.match(await page.textContent('[data-testid=env-banner]'), /Sandbox AWS/);

  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).getAttribute('value');
  await page.selectOption('[data-testid=zone-select]', zone);
  await page.click('[data-testid=choose-zone]');
  // The domain step is done and folds with its names as its one-line result; the path is next.
  await page.waitForSelector('[data-testid=wizard-domain][data-state=done]');
  assert.match(await page.textContent('[data-testid=result-domain]'), /api\.lockstep-demo\.com/);
  assert.match(await page.textContent('[data-testid=name-plan]'), /api\.lockstep-demo\.com/);
  assert.equal(await page.getAttribute('[data-testid=wizard-path]', 'data-state'), 'now');
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid=wizard-path]').open), true);
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid=wizard-domain]').open), false);

  // Any step can be opened by hand, ahead of the order.
  await openStep(page, 'certificate');
  await page.click('[data-testid=start-certificate]');
  // The request step finishes and the wait for ISSUED starts, without any reload.
  await page.waitForSelector('[data-testid="step-cert.request"][data-status=succeeded]', { timeout: 30_000 });
  await page.waitForSelector('[data-testid="step-cert.await_issued"][data-status=waiting]', { timeout: 30_000 });
  const before = await page.textContent('[data-testid="step-cert.await_issued"]');
  assert.match(before, /PENDING_VALIDATION/);
  assert.match(before, /usually about 5 min/);

  // Reload mid-run: the same state comes back from the server, then goes on live.
  await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]');
  await openStep(page, 'certificate');
  await page.waitForSelector('[data-testid="step-cert.upsert_validation"][data-status=succeeded]');
  assert.equal(await page.getAttribute('[data-testid=run-certificate]', 'data-status'), 'active');
  await page.waitForSelector('[data-testid=run-certificate][data-status=succeeded]', { timeout: 60_000 });
  assert.match(await page.textContent('[data-testid="step-cert.await_issued"]'), /ISSUED/);
  assert.equal(await page.locator('[data-testid=run-certificate] .timeline li').count(), 5);
  // Each panel's data is fetched and sent once per page load (a second copy is what made
  // hydration fail when a step finished mid-load).
  await assertEachResourceOnce(page);
  await closeClean(page);
});
