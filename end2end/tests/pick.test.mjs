// Issue 22, "pick, don't type": from the new-project page to a finished paid path in the
// sandbox with at most 2 typed fields and 10 clicks, counted through `counted` (support.mjs)
// and printed. The instance (the sandbox's demo one, with its Name tag, IP, SSM reach and
// security group), the bucket (the demo bucket, website hosting on), the project name (from
// the Name tag) and the app port (Django's 8000) are all picked or filled for the person.
//
// Counted up to the "Verified" screen, through the wizard's steps in order (zone, the paid
// path, the load balancer with its cost confirmed, the frontend's certificate, the frontend,
// the HTTPS check): each step opens by itself when the one before it ends. Then, uncounted,
// the path is changed to free, which tears down what the paid path made, and a reload shows
// the same place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, open, closeClean, counted, openStep } from './support.mjs';

const MAX_TYPED = 2;
const MAX_CLICKS = 10;

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

test('new project to a verified paid path: at most 2 typed fields and 10 clicks; then the path changed', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  const me = counted(page);

  // The lists: the demo instance with what matters about it, the demo bucket with hosting on.
  const instance = (await page.textContent('[data-testid=demo-instance]')).trim();
  const pick = page.locator('select#instance');
  await pick.waitFor();
  assert.equal(await pick.inputValue(), instance, 'the demo instance is picked already');
  const label = await page.locator(`select#instance option[value="${instance}"]`).textContent();
  assert.match(label, /lockstep-demo/, label);
  assert.match(label, /\d+\.\d+\.\d+\.\d+/, `its public IP: ${label}`);
  assert.match(label, /SSM/, label);
  assert.match(label, /sg-/, `its security group: ${label}`);
  assert.equal(await page.locator('select#bucket').inputValue(), 'lockstep-demo-frontend');
  assert.match(await page.locator('select#bucket option[value=lockstep-demo-frontend]').textContent(), /website hosting on/);
  // Suggested and filled: the name from the Name tag, Django's port (editable).
  await page.waitForFunction(() => document.querySelector('#name')?.value === 'lockstep-demo');
  assert.equal(await page.inputValue('#app_port'), '8000');
  await page.selectOption('#framework', 'express');
  assert.equal(await page.inputValue('#app_port'), '3000', 'the port follows the framework');
  await page.selectOption('#framework', 'django');

  await me.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);
  await page.waitForSelector('body[data-hydrated="true"]');

  await me.click('[data-testid=source-zone]');
  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).getAttribute('value');
  await me.select('[data-testid=zone-select]', zone);
  await me.click('[data-testid=choose-zone]');
  await page.waitForSelector('[data-testid=wizard-path][data-state=now][open]', { timeout: 30_000 });
  await me.click('[data-testid=choose-paid]');

  const paid = '[data-testid=step-paid]';
  await page.locator(`${paid} [data-testid=cost-plan]`).waitFor();
  await me.check(`${paid} [data-testid=confirm-cost]`);
  await me.click(`${paid} [data-testid=start-backend]`);
  await page.locator('[data-testid=wizard-certificate][data-state=now][open]').waitFor({ timeout: 90_000 });
  await me.click('[data-testid=start-certificate]');
  await page.locator('[data-testid=wizard-frontend][data-state=now][open]').waitFor({ timeout: 90_000 });
  await me.click('[data-testid=step-frontend] [data-testid=start-frontend]');
  await page.locator('[data-testid=wizard-check][data-state=now][open]').waitFor({ timeout: 60_000 });
  await me.click('[data-testid=start-doctor]');
  await page.locator('[data-testid=verified]').waitFor({ timeout: 30_000 });

  const { typed, clicks, log } = me.counts;
  console.log(`pick, don't type: ${typed} typed fields, ${clicks} clicks (limits ${MAX_TYPED} and ${MAX_CLICKS}): ${log.join('; ')}`);
  assert.ok(typed <= MAX_TYPED, `${typed} typed fields, more than ${MAX_TYPED}`);
  assert.ok(clicks <= MAX_CLICKS, `${clicks} clicks, more than ${MAX_CLICKS}`);

  // The path can be changed afterwards: leaving the paid path deletes what it made in AWS,
  // after a confirmation naming how much; the frontend (either path's) stays.
  await openStep(page, 'path');
  await page.click('[data-testid=choose-free]');
  await page.locator('[data-testid=path-switch]').waitFor();
  assert.match(await page.textContent('[data-testid=path-switch]'), /deletes .* \d+ resources/);
  assert.equal(await page.locator('[data-testid=chosen-paid]').count(), 1, 'nothing changed before the confirmation');
  await page.check('[data-testid=confirm-switch]');
  await page.click('[data-testid=switch-path]');
  await page.locator('[data-testid=wizard-instance_https]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-testid=wizard-load_balancer]').count(), 0);
  assert.equal(await page.locator('[data-testid=verified]').count(), 0, 'not verified on the new path yet');

  // A reload comes back to the same place: the free path's Nginx step is the current one, and
  // the teardown of the load balancer ran.
  await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]');
  assert.equal(await page.getAttribute('[data-testid=wizard-instance_https]', 'data-state'), 'now');
  assert.equal(await page.getAttribute('[data-testid=rail-instance_https]', 'aria-current'), 'step');
  await openStep(page, 'after-teardown');
  await page.locator('[data-testid=run-teardown][data-status=succeeded]').waitFor({ timeout: 90_000 });
  await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]');
  await openStep(page, 'after-teardown');
  await page.locator('[data-testid=ledger-item][data-kind=cloudfront_distribution]').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('[data-testid=ledger-item][data-kind=load_balancer]').count(), 0, 'the load balancer is gone');
  await closeClean(page);
});
