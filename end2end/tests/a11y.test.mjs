// Issue 22, accessibility: zero axe-core (4.14) WCAG 2 A/AA violations on the setup page, the
// new-project page and the project page in each state of its wizard (a new project, the path
// to choose, a step running, a folded step opened, the "Verified" screen), in English and
// Korean. axe runs inside the page through the DevTools protocol (page.evaluate), so the
// page's Content Security Policy stays as strict as it is for people.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startLockstep, launchBrowser, open, openIn, closeClean, openStep } from './support.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

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

/// The page's WCAG 2 A and AA violations, each as "rule: target (help)".
async function violations(page, what) {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')} (${v.help})`);
  });
  return found.map((v) => `${what}: ${v}`);
}

test('no WCAG 2 A/AA violations on the setup, new-project and project pages, in each wizard state', async () => {
  const seen = [];
  // The first-run setup page, as nobody signed in on a fresh server sees it.
  const anon = await openIn(await browser.newContext(), `${server.url}/setup`);
  seen.push(...await violations(anon, 'setup'));
  await closeClean(anon);

  const form = await open(browser, `${server.url}/projects/new`);
  await form.waitForFunction(() => document.querySelector('#name')?.value === 'lockstep-demo');
  seen.push(...await violations(form, 'new project'));
  await form.click('[data-testid=create-project]');
  await form.waitForURL(/\/projects\/[0-9a-f]+$/);
  await form.waitForSelector('body[data-hydrated="true"]');
  seen.push(...await violations(form, 'project: the domain to choose'));

  const zone = await form.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).getAttribute('value');
  await form.selectOption('[data-testid=zone-select]', zone);
  await form.click('[data-testid=choose-zone]');
  await form.waitForSelector('[data-testid=wizard-path][data-state=now][open]', { timeout: 30_000 });
  seen.push(...await violations(form, 'project: the path to choose'));

  await form.click('[data-testid=choose-paid]');
  await form.waitForSelector('[data-testid=wizard-load_balancer][data-state=now][open]');
  await form.check('[data-testid=confirm-cost]');
  await form.click('[data-testid=start-backend]');
  await form.waitForSelector('[data-testid=run-backend]');
  seen.push(...await violations(form, 'project: a step running'));
  await form.waitForSelector('[data-testid=wizard-certificate][data-state=now][open]', { timeout: 90_000 });
  await openStep(form, 'load_balancer');
  await openStep(form, 'after-history');
  seen.push(...await violations(form, 'project: a finished step and the history opened'));

  await form.click('[data-testid=start-certificate]');
  await form.waitForSelector('[data-testid=wizard-frontend][data-state=now][open]', { timeout: 90_000 });
  await form.click('[data-testid=step-frontend] [data-testid=start-frontend]');
  await form.waitForSelector('[data-testid=wizard-check][data-state=now][open]', { timeout: 60_000 });
  await form.click('[data-testid=start-doctor]');
  await form.waitForSelector('[data-testid=verified]', { timeout: 30_000 });
  seen.push(...await violations(form, 'project: verified'));

  await form.click('[data-testid=lang-ko]');
  await form.waitForSelector('[data-testid=lang-ko][aria-pressed=true]');
  seen.push(...await violations(form, 'project: verified, in Korean'));
  await form.click('[data-testid=lang-en]');
  await form.waitForSelector('[data-testid=lang-en][aria-pressed=true]');
  await closeClean(form);

  assert.deepEqual(seen, [], `axe-core found violations:\n${seen.join('\n')}`);
});
