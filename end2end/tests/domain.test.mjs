// The domain step in real Chromium: each of the four sources through the browser to a saved
// name plan (sandbox AWS, with lockstep's clearly marked stand-ins where the emulator has none).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, open, closeClean, typeInto, openStep } from './support.mjs';

let server;
let browser;
before(async () => {
  server = await startLockstep({ LOCKSTEP_SANDBOX_ACM_WAIT: '0' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newProject(name) {
  const page = await open(browser, `${server.url}/projects/new`);
  await page.fill('#name', name);
  await typeInto(page, 'instance', '54.180.1.2');
  await page.fill('#app_port', '8000');
  await typeInto(page, 'bucket', `${name}-frontend`);
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);
  return page;
}

async function planText(page) {
  // Attached, not visible: once its run ends well the domain step folds (its names stay its
  // one-line result).
  await page.waitForSelector('[data-testid=name-plan]', { timeout: 30_000, state: 'attached' });
  return page.textContent('[data-testid=name-plan]');
}

test('existing hosted zone: plan saved and delegation confirmed per name server', async () => {
  const page = await newProject('zone-team');
  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).getAttribute('value');
  await page.selectOption('[data-testid=zone-select]', zone);
  await page.click('[data-testid=choose-zone]');
  assert.match(await planText(page), /api\.lockstep-demo\.com/);
  await page.waitForSelector('[data-testid="step-zone.delegation"][data-status=succeeded]', { timeout: 30_000, state: 'attached' });
  assert.equal(await page.locator('[data-testid=ns-row][data-ok=true]').count(), 4);
  // Done: the domain step folds with its names, and the path choice is the current step.
  await page.waitForSelector('[data-testid=wizard-domain][data-state=done]', { state: 'attached' });
  assert.match(await page.textContent('[data-testid=result-domain]'), /https:\/\/api\.lockstep-demo\.com/);
  assert.equal(await page.getAttribute('[data-testid=wizard-path]', 'data-state'), 'now');
  await closeClean(page);
});

test('domain at another registrar: zone created, name servers to copy, delegation followed', async () => {
  const page = await newProject('other-team');
  await page.click('[data-testid=source-other]');
  await page.fill('#other-domain', 'bad domain.com');
  await page.click('[data-testid=create-zone]');
  await page.waitForSelector('[data-testid=error-domain]');
  assert.match(await page.textContent('[data-testid=error-domain]'), /cannot contain/);
  assert.equal(await page.inputValue('#other-domain'), 'bad domain.com', 'what was typed is kept');

  await page.fill('#other-domain', 'Team-Capstone.com');
  await page.click('[data-testid=create-zone]');
  await page.waitForSelector('[data-testid="step-zone.delegation"][data-status=waiting]', { timeout: 30_000 });
  await page.waitForSelector('[data-testid=ns-row]');
  assert.equal(await page.locator('[data-testid=ns-row][data-ok=false]').count(), 4, 'four name servers still to set');
  assert.match(await page.textContent('[data-testid=delegation]'), /Remove these from the registrar/);
  // The plan is already saved (the zone exists).
  assert.match(await planText(page), /api\.team-capstone\.com/);

  // Still the current step while the name servers are not delegated.
  assert.equal(await page.getAttribute('[data-testid=wizard-domain]', 'data-state'), 'now');
  await page.click('[data-testid=sandbox-registrar]');
  await page.waitForSelector('[data-testid="step-zone.delegation"][data-status=succeeded]', { timeout: 30_000, state: 'attached' });
  assert.equal(await page.locator('[data-testid=ns-row][data-ok=true]').count(), 4);
  await closeClean(page);
});

test('buy a domain: price first, field errors, explicit confirmation, registration tracked', async () => {
  const page = await newProject('buy-team');
  await page.click('[data-testid=source-buy]');
  await page.waitForSelector('[data-testid=stand-in]');
  await page.fill('[data-testid=buy-query]', 'taken.com');
  await page.click('[data-testid=buy-search]');
  await page.waitForSelector('[data-testid=search-result][data-available=false]');

  await page.fill('[data-testid=buy-query]', 'capstone-team.click');
  await page.click('[data-testid=buy-search]');
  await page.waitForSelector('[data-testid=search-result][data-available=true]');
  assert.match(await page.textContent('[data-testid=price]'), /\$3\.00 for the first year, then \$3\.00 a year/);

  const contact = {
    first_name: 'Minji', last_name: 'Kim', email: 'minji', phone: '010-1234-5678',
    address_line1: '1 Gwanak-ro', city: 'Seoul', country_code: 'KR', zip_code: '08826',
  };
  for (const [k, v] of Object.entries(contact)) await page.fill(`#${k}`, v);
  await page.check('[data-testid=confirm-price]');
  await page.click('[data-testid=buy]');
  await page.waitForSelector('[data-testid=error-email]');
  assert.match(await page.textContent('[data-testid=error-email]'), /15 days/);
  assert.equal(await page.inputValue('#city'), 'Seoul', 'the other fields keep their values');

  await page.fill('#email', 'minji@example.com');
  await page.uncheck('[data-testid=confirm-price]');
  await page.click('[data-testid=buy]');
  await page.waitForSelector('[data-testid=buy-refused]');
  assert.match(await page.textContent('[data-testid=buy-refused]'), /Nothing was bought/);

  await page.check('[data-testid=confirm-price]');
  await page.click('[data-testid=buy]');
  await page.waitForSelector('[data-testid=email-reminder]', { timeout: 30_000, state: 'attached' });
  assert.match(await page.textContent('[data-testid=email-reminder]'), /minji@example\.com.*15 days/);
  assert.match(await planText(page), /api\.capstone-team\.click/);
  await closeClean(page);
});

test('free magic name: both offered with the rate-limit warning, ACM refused', async () => {
  const page = await newProject('magic-team');
  await page.click('[data-testid=source-magic]');
  assert.match(await page.textContent('[data-testid=magic-warning]'), /Public Suffix List.*staging/s);
  await page.waitForSelector('[data-testid="magic-nip.io"]');
  await page.check('[data-testid="magic-sslip.io"]');
  await page.click('[data-testid=use-magic]');
  assert.match(await planText(page), /54-180-1-2\.sslip\.io/);
  assert.match(await page.textContent('[data-testid=cert-magic]'), /Let's Encrypt/);
  await closeClean(page);
});

test('edit the plan: a name outside the domain is refused next to the field', async () => {
  const page = await newProject('edit-team');
  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).getAttribute('value');
  await page.selectOption('[data-testid=zone-select]', zone);
  await page.click('[data-testid=choose-zone]');
  await planText(page);
  // Once its delegation check has ended the step folds: open it after that, or the fold closes
  // what was just opened.
  await page.waitForSelector('[data-testid=wizard-domain][data-state=done]', { timeout: 30_000, state: 'attached' });
  await openStep(page, 'domain');
  await page.click('[data-testid=edit-plan]');
  await page.fill('#plan-api', 'api.other-domain.com');
  await page.click('[data-testid=save-plan]');
  await page.waitForSelector('[data-testid=error-api]');
  assert.match(await page.textContent('[data-testid=error-api]'), /not inside lockstep-demo\.com/);
  await page.fill('#plan-api', 'backend.lockstep-demo.com');
  await page.click('[data-testid=save-plan]');
  await page.waitForSelector('[data-testid=plan-api]:has-text("backend.lockstep-demo.com")', { state: 'attached' });
  await closeClean(page);
});
