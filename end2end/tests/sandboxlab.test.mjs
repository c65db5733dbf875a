// Issue 22 item 4: the sandbox's free path ends green on a real stand-in. `lockstep serve` in
// sandbox mode starts the HTTPS lab itself (lab/lab.sh: nginx with a certificate certbot got
// from an ACME test CA, the CA, DNS for student.test) and stops it on shutdown; nothing is set
// by hand here but the lab's ports (so this test's lab and the suite's do not collide). A
// newcomer picks the demo instance, the lab's zone, the free path, and ends on "Verified" with
// the API name checked for real (DNS, TLS, HTTP) and no failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLockstep, launchBrowser, open, closeClean } from './support.mjs';

const script = fileURLToPath(new URL('../../lab/lab.sh', import.meta.url));
// Ports of no other lab: the suite's lab (5353, 18080...) and `lockstep serve`'s own (25353, ...).
const PORTS = {
  LAB_DNS_PORT: '35353', LAB_HTTP_PORT: '38080', LAB_HTTPS_PORT: '38443', LAB_BACKEND_PORT: '38000',
  LAB_CLOSED_PORT: '38999', LAB_PEBBLE_PORT: '34000', LAB_PEBBLE_MGMT_PORT: '35000',
};

let server;
let browser;
before(async () => {
  server = await startLockstep({ LOCKSTEP_SANDBOX_LAB: 'auto', LOCKSTEP_LAB_SCRIPT: script, ...PORTS });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  // The stand-in's processes ("<name> <pid> <starttime>" in its pids file), read before the
  // server stops (stopping removes the stand-in's directory).
  const pids = server ? `${server.dataDir}/sandbox-lab/pids` : '';
  const started = pids && existsSync(pids)
    ? readFileSync(pids, 'utf8').split('\n').filter(Boolean).map((l) => l.split(/\s+/))
    : [];
  await server?.stop();
  assert.ok(started.length >= 4, `the stand-in ran nginx, pebble, dnsmasq and the app: ${started}`);
  for (const [name, pid, start] of started) {
    let stat = '';
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { /* gone */ }
    const same = stat && stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === start;
    assert.equal(Boolean(same), false, `the stand-in's ${name} (pid ${pid}) still runs after lockstep stopped`);
  }
});

test('sandbox free path on the stand-in: demo instance, the lab zone, free path, to a green "Verified"', async () => {
  // The stand-in starts in the background, after the URL is printed (about 8 s).
  for (let i = 0; i < 120 && !/free path's stand-in is up/.test(server.log()); i++) {
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.match(server.log(), /free path's stand-in is up/, 'serve started the stand-in');
  const page = await open(browser, `${server.url}/projects/new`);
  await page.waitForFunction(() => document.querySelector('#name')?.value === 'lockstep-demo');
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);
  await page.waitForSelector('body[data-hydrated="true"]');

  // The stand-in's zone is offered beside the demo zone, already delegated.
  await page.click('[data-testid=source-zone]');
  // Said next to the list: which zone ends on a real check.
  assert.match(await page.textContent('[data-testid=lab-zone-hint]'), /student\.test .*local stand-in/);
  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'student.test' }).getAttribute('value');
  await page.selectOption('[data-testid=zone-select]', zone);
  await page.click('[data-testid=choose-zone]');
  await page.waitForSelector('[data-testid=wizard-path][data-state=now][open]', { timeout: 30_000 });
  await page.click('[data-testid=choose-free]');

  const free = page.locator('[data-testid=step-free]');
  await free.locator('[data-testid=free-facts]').waitFor();
  if (!(await page.inputValue('#free-email'))) await page.fill('#free-email', 'kim@student.test');
  await free.locator('[data-testid=start-free-path]').click();
  // Attached, not visible: the step folds as soon as the next one opens by itself.
  await free.locator('[data-testid=run-nginx][data-status=succeeded]').waitFor({ timeout: 90_000, state: 'attached' });
  // The verification inside the run checked the stand-in for real.
  assert.ok(await free.locator('[data-testid=finding][data-check="http.health"][data-verdict=pass]').count() >= 1);

  await page.locator('[data-testid=wizard-certificate][data-state=now][open]').waitFor({ timeout: 90_000 });
  await page.click('[data-testid=start-certificate]');
  await page.locator('[data-testid=wizard-frontend][data-state=now][open]').waitFor({ timeout: 90_000 });
  await page.click('[data-testid=step-frontend] [data-testid=start-frontend]');
  await page.locator('[data-testid=wizard-check][data-state=now][open]').waitFor({ timeout: 60_000 });
  await page.click('[data-testid=start-doctor]');
  await page.locator('[data-testid=verified]').waitFor({ timeout: 60_000 });

  // Real checks of the API name passed (its certificate, from the test CA through certbot), the
  // frontend and the name servers are notes, and nothing failed.
  const check = page.locator('[data-testid=wizard-check]');
  const passed = await check.locator('[data-testid=finding][data-verdict=pass]').count();
  assert.ok(passed >= 5, `${passed} checks passed`);
  assert.ok(await check.locator('[data-testid=finding][data-check^="tls."][data-verdict=pass]').count() > 0, 'TLS checked for real');
  assert.equal(await check.locator('[data-testid=finding][data-verdict=fail]').count(), 0);
  assert.ok(await check.locator('[data-testid=finding][data-check="sandbox.ns"]').count() === 1);
  await closeClean(page);
});
