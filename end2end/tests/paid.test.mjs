// The paid path in the browser on sandbox AWS: the sandbox's demo EC2 instance, the demo hosted
// zone, the plan with its cost, no resource without the confirmation, then the backend run
// (certificate in Seoul, ALB) to the end, and the ledger with the running cost; the frontend
// (certificate in us-east-1, CloudFront, a cache clear); the issued certificate offered for
// reuse; then teardown, and moto itself asked (plain HTTP to the emulator) that nothing is left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, open, closeClean, typeInto, openStep, choosePath } from './support.mjs';

/// Asks the sandbox's moto directly (it does not check signatures; the credential scope in the
/// Authorization header picks the region and service).
async function moto(endpoint, service, region, { method = 'POST', path = '/', body, target } = {}) {
  const headers = {
    authorization: `AWS4-HMAC-SHA256 Credential=sandbox/20261124/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  if (target) {
    headers['x-amz-target'] = target;
    headers['content-type'] = 'application/x-amz-json-1.1';
  } else if (body) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const r = await fetch(`${endpoint}${path}`, { method, headers, body });
  const text = await r.text();
  assert.ok(r.ok, `${service} ${path} ${body ?? ''}: HTTP ${r.status} ${text}`);
  return text;
}

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

test('paid path: plan and cost first, confirmation required, certificate and ALB, frontend, reuse offered, teardown leaves nothing', async () => {
  const page = await open(browser, `${server.url}/projects/new`);
  const instance = (await page.textContent('[data-testid=demo-instance]')).trim();
  assert.match(instance, /^i-[0-9a-f]+$/);
  await page.fill('#name', 'paid-team');
  await typeInto(page, 'instance', instance);
  await page.fill('#app_port', '8000');
  await typeInto(page, 'bucket', 'paid-team-frontend');
  await page.click('[data-testid=create-project]');
  await page.waitForURL(/\/projects\/[0-9a-f]+$/);

  await page.click('[data-testid=source-zone]');
  const zone = await page.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).getAttribute('value');
  await page.selectOption('[data-testid=zone-select]', zone);
  await page.click('[data-testid=choose-zone]');
  await page.waitForSelector('[data-testid=wizard-domain][data-state=done]', { timeout: 30_000, state: 'attached' });
  // Path first: only the paid path's steps are shown once it is chosen.
  await choosePath(page, 'paid');
  assert.equal(await page.locator('[data-testid=wizard-instance_https]').count(), 0);
  assert.equal(await page.getAttribute('[data-testid=wizard-load_balancer]', 'data-state'), 'now');

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
  await paid.locator('[data-testid=run-backend][data-status=succeeded]').waitFor({ timeout: 90_000, state: 'attached' });
  for (const step of ['cert.request', 'alb.network', 'alb.target_group', 'alb.listeners', 'alb.await_healthy', 'alb.records']) {
    assert.equal(await paid.locator(`[data-testid="step-${step}"]`).getAttribute('data-status'), 'succeeded', step);
  }

  // The picture shows the load balancer built; the summary has the settings for these names.
  assert.equal(await paid.locator('[data-testid=arch-part][data-part="Load balancer"]').getAttribute('data-state'), 'ready');
  // The step is done and folds with its one-line result; the frontend's certificate is next.
  await page.waitForSelector('[data-testid=wizard-load_balancer][data-state=done]', { state: 'attached' });
  assert.match(await page.textContent('[data-testid=result-load_balancer]'), /https:\/\/api\.lockstep-demo\.com/);
  await paid.locator('[data-testid=paid-summary]').waitFor({ state: 'attached' });
  const settings = await paid.locator('[data-testid=framework-settings]').textContent();
  assert.match(settings, /ALLOWED_HOSTS = \["api\.lockstep-demo\.com"\]/);
  assert.match(settings, /SECURE_PROXY_SSL_HEADER/);

  // The ledger lists the load balancer, and the page shows what it costs while it exists.
  const ledger = page.locator('[data-testid=step-ledger]');
  await openStep(page, 'after-teardown');
  await ledger.locator('[data-testid=ledger-item][data-kind=load_balancer]').waitFor({ timeout: 15_000 });
  assert.match(await page.textContent('[data-testid=cost-badge]'), /about \$0\.97 a day/);

  // The frontend's certificate (us-east-1), CloudFront, a cache clear: each the current step
  // in turn, open without a click.
  await page.waitForSelector('[data-testid=wizard-certificate][data-state=now][open]');
  await page.click('[data-testid=start-certificate]');
  await page.locator('[data-testid=run-certificate][data-status=succeeded]').waitFor({ timeout: 90_000, state: 'attached' });
  const front = page.locator('[data-testid=step-frontend]');
  await page.waitForSelector('[data-testid=wizard-frontend][data-state=now][open]');
  await front.locator('[data-testid=start-frontend]').click();
  await front.locator('[data-testid=run-frontend][data-status=succeeded]').waitFor({ timeout: 60_000, state: 'attached' });
  await paid.locator('[data-testid=arch-part][data-part="CloudFront"][data-state=ready]').waitFor({ timeout: 10_000, state: 'attached' });
  await openStep(page, 'frontend');
  await front.locator('[data-testid=invalidate-frontend]').click();
  await front.locator('[data-testid="run-frontend.invalidate"][data-status=succeeded]').waitFor({ timeout: 30_000 });
  await ledger.locator('[data-testid=ledger-item][data-kind=cloudfront_distribution]').waitFor({ timeout: 15_000 });

  // Last, the HTTPS check, then "Verified". The sandbox's names are the emulator's only: the
  // check says which checks cannot run there, and why, instead of failing them.
  await page.waitForSelector('[data-testid=wizard-check][data-state=now][open]');
  await page.click('[data-testid=start-doctor]');
  await page.locator('[data-testid=verified]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=finding][data-verdict=fail]').count(), 0);
  assert.ok(await page.locator('[data-testid=finding][data-code=sandbox]').count() >= 4);
  assert.match(await page.textContent('[data-testid=verified-api]'), /^https:\/\/api\.lockstep-demo\.com$/);
  await page.locator('[data-testid=verified-sandbox]').waitFor();
  assert.match(await page.textContent('[data-testid=verified-redeploy]'), /load balancer/);
  assert.equal(await page.locator('[data-testid=wizard-check][data-state=done]').count(), 1);
  assert.equal(await page.locator('.rail-step.done').count(), 6, 'every step of the rail is done');
  await closeClean(page);

  // On the next visit the plan offers the issued certificate for reuse (or a new one).
  const again = await open(browser, page.url());
  // Reloaded, it is still verified; finished steps are folded and open on a click.
  await again.locator('[data-testid=verified]').waitFor();
  await openStep(again, 'load_balancer');
  const choice = again.locator('[data-testid=step-paid] [data-testid=cert-choice]');
  await choice.waitFor({ timeout: 15_000 });
  assert.match(await choice.textContent(), /Reuse api\.lockstep-demo\.com/);
  assert.equal(await choice.locator('[data-testid=cert-new]').count(), 1);

  // The same questions to moto see what lockstep made (so the empty answers below mean gone).
  const endpoint = server.log().replace(/\x1b\[[0-9;]*m/g, "").match(/endpoint=(http:\/\/[0-9.:]+)/)[1];
  const lbsBefore = await moto(endpoint, 'elasticloadbalancing', 'ap-northeast-2', { body: 'Action=DescribeLoadBalancers&Version=2015-12-01' });
  assert.match(lbsBefore, /<LoadBalancerArn>/, lbsBefore);
  const distsBefore = await moto(endpoint, 'cloudfront', 'us-east-1', { method: 'GET', path: '/2020-05-31/distribution' });
  assert.match(distsBefore, /<Quantity>1<\/Quantity>/, distsBefore);

  // Teardown: refused without the tick, then everything goes and AWS is listed again.
  const down = again.locator('[data-testid=step-teardown]');
  await openStep(again, 'after-teardown');
  await down.locator('[data-testid=teardown-order]').waitFor();
  const order = await down.locator('[data-testid=teardown-order] li').allTextContents();
  assert.match(order[0], /CloudFront distribution/, 'CloudFront goes first');
  assert.ok(order.findIndex((t) => /ALB listener/.test(t)) < order.findIndex((t) => /Application Load Balancer/.test(t)));
  await down.locator('[data-testid=start-teardown]').click();
  await down.locator('.error-box').waitFor();
  assert.match(await down.locator('.error-box').textContent(), /not confirmed/);
  await down.locator('[data-testid=teardown-confirm]').check();
  await down.locator('[data-testid=start-teardown]').click();
  await down.locator('[data-testid=run-teardown][data-status=succeeded]').waitFor({ timeout: 90_000 });
  assert.match(await down.locator('[data-testid=teardown-done]').textContent(), /nothing lockstep created is left/);
  assert.ok(await down.locator('[data-testid=torn-deleted][data-kind=load_balancer]').count() === 1);
  await again.locator('[data-testid=ledger-empty]').waitFor({ timeout: 15_000 });
  assert.equal(await again.locator('[data-testid=cost-badge]').count(), 0, 'nothing bills any more');

  // moto itself: no load balancer, target group, distribution or certificate is left.
  const lbs = await moto(endpoint, 'elasticloadbalancing', 'ap-northeast-2', { body: 'Action=DescribeLoadBalancers&Version=2015-12-01' });
  assert.doesNotMatch(lbs, /<LoadBalancerArn>/, lbs);
  const tgs = await moto(endpoint, 'elasticloadbalancing', 'ap-northeast-2', { body: 'Action=DescribeTargetGroups&Version=2015-12-01' });
  assert.doesNotMatch(tgs, /<TargetGroupArn>/, tgs);
  const dists = await moto(endpoint, 'cloudfront', 'us-east-1', { method: 'GET', path: '/2020-05-31/distribution' });
  assert.match(dists, /<Quantity>0<\/Quantity>/, dists);
  for (const region of ['ap-northeast-2', 'us-east-1']) {
    const certs = JSON.parse(await moto(endpoint, 'acm', region, { body: '{}', target: 'CertificateManager.ListCertificates' }));
    assert.deepEqual(certs.CertificateSummaryList, [], region);
  }
  await closeClean(again);
});
