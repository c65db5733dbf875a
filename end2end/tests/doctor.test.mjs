// The HTTPS doctor in the browser, against the real HTTPS lab (nginx, a pebble certificate,
// dnsmasq): a project whose names are the lab's hosts, checked from the project page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, open, closeClean, labEnv, typeInto, openStep } from './support.mjs';

let server;
let browser;
before(async () => {
  const lab = labEnv();
  server = await startLockstep({
    LOCKSTEP_DNS_SERVER: lab.LAB_DNS,
    LOCKSTEP_DOCTOR_CA_FILE: lab.LAB_CA_BUNDLE,
    LOCKSTEP_DOCTOR_HTTP_PORT: lab.LAB_HTTP_PORT,
    LOCKSTEP_DOCTOR_HTTPS_PORT: lab.LAB_HTTPS_PORT,
    // The lab is on loopback: the lab/test opt-in to private targets (never on a real server).
    LOCKSTEP_ALLOW_PRIVATE_TARGETS: 'true',
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function setPlan(page, api, frontend) {
  await openStep(page, 'domain');
  await page.click('[data-testid=edit-plan]');
  await page.fill('#plan-api', api);
  await page.fill('#plan-frontend', frontend);
  await page.click('[data-testid=save-plan]');
  await page.waitForSelector(`[data-testid=plan-api]:has-text("${api}")`, { state: 'attached' });
}

async function runDoctor(page, previous) {
  // The check is the wizard's last step: opened by hand here, ahead of the backend.
  await openStep(page, 'check');
  await page.click('[data-testid=start-doctor]');
  // A new report (the checked_at in the summary changes from the previous one).
  await page.waitForFunction((prev) => {
    const s = document.querySelector('[data-testid=doctor-summary]');
    return s && s.textContent !== prev;
  }, previous, { timeout: 30_000 });
  return page.textContent('[data-testid=doctor-summary]');
}

test('the doctor checks the project names: all good on the valid host, the fix shown for an expired one', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  await page.fill('#name', 'doctor-team');
  await typeInto(page, 'instance', '54.180.1.2');
  await page.fill('#app_port', '8000');
  await typeInto(page, 'bucket', 'doctor-team-frontend');
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);
  assert.match(await page.textContent('[data-testid=step-doctor]'), /Choose a domain first/);

  await page.click('[data-testid=source-other]');
  await page.fill('#other-domain', 'student.test');
  await page.click('[data-testid=create-zone]');
  await page.waitForSelector('[data-testid=name-plan]', { timeout: 30_000, state: 'attached' });
  await setPlan(page, 'valid.student.test', 'www.student.test');

  const first = await runDoctor(page, null);
  const report = page.locator('[data-testid=doctor-report]');
  assert.notEqual(await report.getAttribute('data-worst'), 'fail', first);
  for (const check of ['tls.certificate', 'http.redirect', 'http.health', 'cors.preflight', 'mixed.content']) {
    assert.equal(await page.locator(`[data-testid=finding][data-check="${check}"][data-verdict=pass]`).count() >= 1, true, `${check} passes`);
  }
  assert.equal(await page.locator('[data-testid=finding][data-verdict=fail]').count(), 0);

  await setPlan(page, 'expired.student.test', 'www.student.test');
  const second = await runDoctor(page, first);
  assert.match(second, /failing/);
  const expired = page.locator('[data-testid=finding][data-check="tls.expiry"][data-verdict=fail]');
  assert.equal(await expired.count(), 1);
  assert.match(await expired.locator('[data-testid=fix]').textContent(), /certbot renew/);
  assert.ok(await expired.locator('[data-testid=fix]').isVisible(), 'a failing finding is open, its fix visible');
  // In Korean, the doctor's own words switch too (the command stays as it is).
  const englishTitle = await expired.locator('summary').textContent();
  await page.click('[data-testid=lang-ko]');
  await page.waitForFunction(() => /[가-힣]/.test(document.querySelector('[data-testid=finding][data-check="tls.expiry"][data-verdict=fail] summary').textContent));
  assert.notEqual(await expired.locator('summary').textContent(), englishTitle);
  const fixKo = await expired.locator('[data-testid=fix]').textContent();
  assert.match(fixKo, /[가-힣]/, fixKo);
  assert.match(fixKo, /certbot renew/, fixKo);
  await page.click('[data-testid=lang-en]');
  await page.waitForFunction((t) => document.querySelector('[data-testid=finding][data-check="tls.expiry"][data-verdict=fail] summary').textContent === t, englishTitle);
  await closeClean(page);
});
