// The free path (Nginx + Certbot) through the browser on sandbox AWS, to the summary. The HTTPS
// lab plays the instance: its nginx on 127.0.2.1 carries a real pebble certificate obtained by
// certbot --nginx, and LOCKSTEP_PUBLIC_ADDRESS says the project's public IP is served there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, open, closeClean, labEnv, typeInto, openStep, choosePath } from './support.mjs';

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
    LOCKSTEP_PUBLIC_ADDRESS: '54.180.1.3=127.0.2.1',
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('free path: choices checked per field, the script for this project, the run to a verified summary', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  await page.fill('#name', 'free-team');
  await typeInto(page, 'instance', '54.180.1.3');
  await page.selectOption('#framework', 'django');
  await page.fill('#app_port', '8000');
  await typeInto(page, 'bucket', 'free-team-frontend');
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);

  await page.click('[data-testid=source-other]');
  await page.fill('#other-domain', 'student.test');
  await page.click('[data-testid=create-zone]');
  await page.waitForSelector('[data-testid=name-plan]', { timeout: 30_000, state: 'attached' });
  await openStep(page, 'domain');
  await page.click('[data-testid=edit-plan]');
  await page.fill('#plan-api', 'valid.student.test');
  await page.fill('#plan-frontend', 'www.student.test');
  await page.click('[data-testid=save-plan]');
  await page.waitForSelector('[data-testid=plan-api]:has-text("valid.student.test")', { state: 'attached' });

  // The path: free and paid side by side, with what each costs; free is taken.
  assert.match(await page.textContent('[data-testid=path-free-cost]'), /\$0 a month/);
  assert.match(await page.textContent('[data-testid=path-paid-cost]'), /a month .* a day/);
  await choosePath(page, 'free');
  assert.equal(await page.locator('[data-testid=wizard-load_balancer]').count(), 0, "the paid path's steps are not shown");
  // The domain's run still waits for the lab's name servers: the Nginx step is opened by hand.
  await openStep(page, 'instance_https');

  const free = page.locator('[data-testid=step-free]');
  await free.locator('[data-testid=free-facts]').waitFor();
  assert.match(await free.locator('[data-testid=free-ssm]').textContent(), /names the instance by its IP/);
  // The picture starts with everything planned.
  assert.equal(await free.locator('[data-testid=arch-part][data-part="nginx + certbot"]').getAttribute('data-state'), 'planned');

  // A bad e-mail: the field says why, and what was typed stays.
  await free.locator('[data-testid=os-al2023]').check();
  await page.fill('#free-email', 'kim at student');
  await free.locator('[data-testid=start-free-path]').click();
  await free.locator('[data-testid=error-email]').waitFor();
  assert.match(await free.locator('[data-testid=error-email]').textContent(), /e-mail address/);
  assert.equal(await page.inputValue('#free-email'), 'kim at student');
  assert.ok(await free.locator('[data-testid=os-al2023]').isChecked());

  // The script follows the choices: Amazon Linux's dnf, staging, the typed e-mail.
  await page.fill('#free-email', 'kim@student.test');
  await free.locator('[data-testid=staging]').check();
  const script = await free.locator('[data-testid=install-script]').textContent();
  assert.match(script, /dnf install -y nginx/);
  // Every value is one single-quoted shell word (issue 19: nothing typed can break out of the script).
  assert.match(script, /certbot --nginx -d 'valid\.student\.test' --redirect -m 'kim@student\.test' --agree-tos -n --staging/);
  assert.match(script, /proxy_pass http:\/\/127\.0\.0\.1:8000;/);
  assert.match(script, /certbot renew --dry-run/);
  await free.locator('[data-testid=staging]').uncheck();
  assert.doesNotMatch(await free.locator('[data-testid=certbot-command]').textContent(), /--staging/);

  await free.locator('[data-testid=start-free-path]').click();
  const run = free.locator('[data-testid=run-nginx]');
  await run.waitFor({ timeout: 30_000 });
  await free.locator('[data-testid=run-nginx][data-status=succeeded]').waitFor({ timeout: 60_000 });
  for (const step of ['nginx.open_ports', 'nginx.dns_record', 'nginx.await_resolve', 'nginx.install', 'nginx.verify']) {
    assert.equal(await free.locator(`[data-testid="step-${step}"]`).getAttribute('data-status'), 'succeeded', step);
  }
  assert.match(await free.locator('[data-testid="step-nginx.dns_record"] [data-testid=step-note]').textContent(),
    /valid\.student\.test A 54\.180\.1\.3/);
  // The verification's report is in the timeline.
  assert.equal(await free.locator('[data-testid=finding][data-check="http.health"][data-verdict=pass]').count(), 1);

  // Summary: the picture is ready, and the settings are written for these names.
  await free.locator('[data-testid=free-done]').waitFor();
  assert.equal(await free.locator('[data-testid=arch-part][data-part="nginx + certbot"]').getAttribute('data-state'), 'ready');
  const settings = await free.locator('[data-testid=framework-settings]').textContent();
  assert.match(settings, /ALLOWED_HOSTS = \["valid\.student\.test"\]/);
  assert.match(settings, /CORS_ALLOWED_ORIGINS = \["https:\/\/www\.student\.test"\]/);
  assert.match(settings, /VITE_API_BASE_URL=https:\/\/valid\.student\.test/);

  // Step 5, the frontend: www needs the ACM certificate first, and says so.
  const front = page.locator('[data-testid=step-frontend]');
  await openStep(page, 'frontend');
  await front.locator('[data-testid=start-frontend]').click();
  await front.locator('.error-box').waitFor();
  assert.match(await front.locator('.error-box').textContent(), /needs a certificate.*step 2/s);
  await openStep(page, 'certificate');
  await page.click('[data-testid=start-certificate]');
  await page.locator('[data-testid=run-certificate][data-status=succeeded]').waitFor({ timeout: 90_000, state: 'attached' });
  await front.locator('[data-testid=start-frontend]').click();
  await front.locator('[data-testid=run-frontend][data-status=succeeded]').waitFor({ timeout: 60_000 });
  // The picture's frontend row follows the run; the cache can be cleared after a redeploy.
  await free.locator('[data-testid=arch-part][data-part="CloudFront"][data-state=ready]').waitFor({ timeout: 10_000 });
  await front.locator('[data-testid=invalidate-frontend]').click();
  await front.locator('[data-testid="run-frontend.invalidate"][data-status=succeeded]').waitFor({ timeout: 30_000 });
  // The ledger lists what was created in the account (re-read every 5 s).
  const ledger = page.locator('[data-testid=step-ledger]');
  await openStep(page, 'after-teardown');
  await ledger.locator('[data-testid=ledger-item][data-kind=cloudfront_distribution]').waitFor({ timeout: 15_000 });
  assert.ok(await ledger.locator('[data-testid=ledger-item][data-kind=route53_record]').count() >= 2);
  // The hosted zone lockstep created is the only running cost ($0.50 a month).
  assert.equal(await ledger.locator('[data-testid=ledger-item][data-kind=hosted_zone]').count(), 1);
  assert.match(await page.textContent('[data-testid=cost-badge]'), /about \$0\.02 a day/);
  await closeClean(page);
});
