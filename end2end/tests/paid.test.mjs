// The paid path in the browser on sandbox AWS: the sandbox's demo EC2 instance, the demo hosted
// zone, the plan with its cost, no resource without the confirmation, then the backend run
// (certificate in Seoul, ALB) to the end, and the ledger with the running cost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, open, closeClean } from './support.mjs';

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

test('paid path: plan and cost first, confirmation required, certificate and ALB to the end', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  const instance = (await page.textContent('[data-testid=demo-instance]')).trim();
  assert.match(instance, /^i-[0-9a-f]+$/);
  await page.fill('#name', 'paid-team');
  await page.fill('#instance', instance);
  await page.fill('#app_port', '8000');
  await page.fill('#bucket', 'paid-team-frontend');
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);

  await page.click('[data-testid=source-zone]');
  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).getAttribute('value');
  await page.selectOption('[data-testid=zone-select]', zone);
  await page.click('[data-testid=choose-zone]');
  await page.waitForSelector('[data-testid=name-plan]', { timeout: 30_000 });

  const paid = page.locator('[data-testid=step-paid]');
  await paid.locator('[data-testid=cost-plan]').waitFor();
  assert.equal((await paid.locator('[data-testid=cost-total]').textContent()).trim(), '$30.07');
  assert.ok(await paid.locator('[data-testid=cost-line]').count() >= 5);

  // Without the tick nothing is created, and the page says why.
  await paid.locator('[data-testid=start-backend]').click();
  await paid.locator('.error-box').waitFor();
  assert.match(await paid.locator('.error-box').textContent(), /not confirmed/);
  assert.equal(await paid.locator('[data-testid=run-backend]').count(), 0);

  await paid.locator('[data-testid=confirm-cost]').check();
  await paid.locator('[data-testid=start-backend]').click();
  await paid.locator('[data-testid=run-backend][data-status=succeeded]').waitFor({ timeout: 90_000 });
  for (const step of ['cert.request', 'alb.network', 'alb.target_group', 'alb.listeners', 'alb.await_healthy', 'alb.records']) {
    assert.equal(await paid.locator(`[data-testid="step-${step}"]`).getAttribute('data-status'), 'succeeded', step);
  }

  // The picture shows the load balancer built; the summary has the settings for these names.
  assert.equal(await paid.locator('[data-testid=arch-part][data-part="Load balancer"]').getAttribute('data-state'), 'ready');
  await paid.locator('[data-testid=paid-summary]').waitFor();
  const settings = await paid.locator('[data-testid=framework-settings]').textContent();
  assert.match(settings, /ALLOWED_HOSTS = \["api\.lockstep-demo\.com"\]/);
  assert.match(settings, /SECURE_PROXY_SSL_HEADER/);

  // The ledger lists the load balancer, and the page shows what it costs while it exists.
  const ledger = page.locator('[data-testid=step-ledger]');
  await ledger.locator('[data-testid=ledger-item][data-kind=load_balancer]').waitFor({ timeout: 15_000 });
  assert.match(await page.textContent('[data-testid=cost-badge]'), /about \$0\.97 a day/);
  await closeClean(page);
});
