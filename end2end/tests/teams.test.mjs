// People and teams in real Chromium: the first-run page makes the owner (field errors keep
// what was typed), the owner invites a member and a viewer by one-time links, all three see
// the same project and its runs, and the viewer cannot start a step (disabled in the page,
// refused by the server).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLockstep, launchBrowser, openIn, closeClean, PASSWORD, typeInto, openStep } from './support.mjs';

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

async function inviteLink(owner, teamUrl, role) {
  await owner.goto(teamUrl);
  await owner.waitForSelector('body[data-hydrated="true"]');
  await owner.selectOption('[data-testid=invite-role]', role);
  await owner.click('[data-testid=create-invite]');
  await owner.waitForSelector('[data-testid=invite-link]');
  return (await owner.textContent('[data-testid=invite-link]')).trim();
}

async function join(link, name) {
  const ctx = await browser.newContext();
  const page = await openIn(ctx, link);
  assert.match(await page.textContent('[data-testid=invite-offer]'), /invited to team/);
  await page.fill('#name', name);
  await page.fill('#email', `${name.toLowerCase()}-${Date.now()}@example.ac.kr`);
  await page.fill('#password', PASSWORD);
  await page.click('[data-testid=signup-submit]');
  // A sign-up signs nobody in: the sign-in form takes its place, the address filled in.
  await page.waitForSelector('[data-testid=then-sign-in]');
  assert.match(await page.inputValue('#email'), /@example\.ac\.kr$/);
  await page.fill('#password', PASSWORD);
  await page.click('[data-testid=signin-submit]');
  await page.waitForURL(/\/teams\/[0-9a-f]+$/);
  await page.waitForSelector('body[data-hydrated="true"]');
  return page;
}

test('first run, invites, the same project for the whole team, and a viewer who cannot start a step', async () => {
  // Nobody exists yet: any page leads to the first-run page.
  const anon = await browser.newContext();
  const owner = await openIn(anon, `${server.url}/projects/new`);
  assert.match(owner.url(), /\/setup$/);
  await owner.fill('#name', 'Minji');
  await owner.fill('#email', 'minji@example.ac.kr');
  await owner.fill('#password', 'short');
  await owner.fill('#team', 'Team 7');
  await owner.click('[data-testid=setup-submit]');
  await owner.waitForSelector('[data-testid=error-password]');
  assert.match(await owner.textContent('[data-testid=error-password]'), /at least 10 characters/);
  assert.equal(await owner.inputValue('#email'), 'minji@example.ac.kr', 'nothing typed is lost');
  await owner.fill('#password', PASSWORD);
  await owner.click('[data-testid=setup-submit]');
  await owner.waitForURL(`${server.url}/`);
  await owner.waitForSelector('body[data-hydrated="true"]');
  assert.equal((await owner.textContent('[data-testid=signed-in-as]')).trim(), 'Minji');

  // A project of team 7, with its domain, and a certificate run.
  await owner.goto(`${server.url}/projects/new`);
  await owner.waitForSelector('body[data-hydrated="true"]');
  await owner.fill('#name', 'team7-shop');
  await typeInto(owner, 'instance', '54.180.1.2');
  await owner.fill('#app_port', '8000');
  await typeInto(owner, 'bucket', 'team7-shop-frontend');
  await owner.click('[data-testid=create-project]');
  await owner.waitForURL(/\/projects\/[0-9a-f]+$/);
  const projectUrl = owner.url();
  const projectId = projectUrl.split('/').pop();
  const zone = await owner.locator('[data-testid=zone-select] option', { hasText: 'lockstep-demo.com' }).first().getAttribute('value');
  await owner.selectOption('[data-testid=zone-select]', zone);
  await owner.click('[data-testid=choose-zone]');
  await owner.waitForSelector('[data-testid=name-plan]', { timeout: 30_000, state: 'attached' });
  await openStep(owner, 'certificate');
  await owner.click('[data-testid=start-certificate]');
  await owner.waitForSelector('[data-testid="step-cert.request"]');

  // Invite a member and a viewer; each link works once.
  const teamUrl = `${server.url}${await owner.locator('[data-testid=user-menu] a.team-link').first().getAttribute('href')}`;
  const memberLink = await inviteLink(owner, teamUrl, 'member');
  const viewerLink = await inviteLink(owner, teamUrl, 'viewer');
  const member = await join(memberLink, 'Jisoo');
  const viewer = await join(viewerLink, 'Hyun');
  assert.match(await viewer.textContent('[data-testid=my-role]'), /viewer/);
  const reused = await openIn(await browser.newContext(), memberLink);
  await reused.waitForSelector('[data-testid=invite-gone]');
  // The used link's page answers 404 (Chromium logs that as an error); that is the point.
  reused.errors.length = 0;
  await closeClean(reused);

  // The owner's team page lists all three.
  await owner.goto(teamUrl);
  await owner.waitForSelector('body[data-hydrated="true"]');
  assert.equal(await owner.locator('[data-testid=member]').count(), 3);

  // Everyone sees the same project and the same certificate run.
  for (const page of [member, viewer]) {
    await page.goto(server.url);
    await page.waitForSelector('body[data-hydrated="true"]');
    await page.click('text=team7-shop');
    await page.waitForURL(projectUrl);
    await page.waitForSelector('[data-testid="step-cert.request"]', { state: 'attached' });
  }

  // The viewer: told so, every control disabled, and the server refuses a direct request.
  assert.match(await viewer.textContent('[data-testid=viewer-notice]'), /You are a viewer/);
  assert.equal(await viewer.locator('fieldset.steps[disabled]').count(), 1);
  const refused = await viewer.evaluate(async (id) => {
    const r = await fetch('/api/start_doctor', { method: 'POST', body: new URLSearchParams({ project_id: id }) });
    return { status: r.status, body: await r.text() };
  }, projectId);
  assert.equal(refused.status, 403, refused.body);
  assert.match(refused.body, /viewer/);
  // Chromium logs the refused request as a console error; that one was the point.
  viewer.errors.length = 0;

  // The member starts the doctor; the owner sees that run too.
  assert.equal(await member.locator('[data-testid=viewer-notice]').count(), 0);
  await openStep(member, 'check');
  await member.click('[data-testid=start-doctor]');
  await member.waitForSelector('[data-testid=doctor-summary]', { timeout: 60_000 });
  await owner.goto(projectUrl);
  await owner.waitForSelector('body[data-hydrated="true"]');
  await owner.waitForSelector('[data-testid=doctor-summary]', { timeout: 30_000, state: 'attached' });

  // The whole team sees one history: who did what, the AWS calls, with filters and a download.
  for (const page of [owner, viewer]) {
    await page.goto(projectUrl);
    await page.waitForSelector('body[data-hydrated="true"]');
    await openStep(page, 'after-history');
    await page.waitForSelector('[data-testid=history-entry]');
    const rows = await page.locator('[data-testid=history-entry]').evaluateAll((trs) => trs.map((tr) => ({
      kind: tr.dataset.kind,
      who: tr.querySelector('[data-testid=history-who]').textContent,
      what: tr.querySelector('[data-testid=history-what] code').textContent,
    })));
    const has = (who, what) => rows.some((r) => r.who === who && r.what === what);
    assert.ok(has('Minji', 'create_project'), JSON.stringify(rows));
    assert.ok(has('Minji', 'start_certificate'), JSON.stringify(rows));
    assert.ok(has('Jisoo', 'start_doctor'), JSON.stringify(rows));
    assert.ok(rows.some((r) => r.kind === 'aws' && r.what === 'acm:RequestCertificate' && r.who === 'Minji'),
      `the AWS call, as the person who started the run: ${JSON.stringify(rows.filter((r) => r.kind !== 'action'))}`);
  }
  // Filter by person: only Jisoo's entries.
  const jisoo = await owner.locator('[data-testid=history-person] option', { hasText: 'Jisoo' }).getAttribute('value');
  await owner.selectOption('[data-testid=history-person]', jisoo);
  await owner.waitForFunction(() => [...document.querySelectorAll('[data-testid=history-who]')].every((td) => td.textContent === 'Jisoo'));
  // The JSON export has every entry, and the viewer may download it too.
  const exported = await viewer.evaluate(async (id) => (await fetch(`/api/projects/${id}/history.json`)).json(), projectId);
  assert.ok(exported.length >= 4, JSON.stringify(exported).slice(0, 500));
  assert.ok(exported.some((e) => e.operation === 'start_doctor' && e.person === 'Jisoo'));
  // Nothing in the page can change the history: no form or button inside it.
  assert.equal(await owner.locator('[data-testid=history] form, [data-testid=history] button').count(), 0);

  // The owner publishes the status page and checks now; a stranger sees the page and badge.
  await owner.goto(projectUrl);
  await owner.waitForSelector('body[data-hydrated="true"]');
  await openStep(owner, 'after-status');
  await owner.check('[data-testid=status-public]');
  await owner.fill('[data-testid=status-slug]', 'team7-shop');
  await owner.click('[data-testid=save-status]');
  await owner.waitForSelector('[data-testid=status-published]');
  await owner.click('[data-testid=check-status-now]');
  await owner.waitForSelector('[data-testid="step-status.record"][data-status=succeeded]', { timeout: 90_000 });
  const stranger = await (await browser.newContext()).newPage();
  // The owner's page loaded the badge right after publishing (cached "not checked yet" for 5 s);
  // the recorded check drops that cache, so the stranger sees the check at once.
  const shown = await stranger.goto(`${server.url}/status/team7-shop`);
  assert.equal(shown.status(), 200);
  assert.match(await stranger.textContent('h1'), /team7-shop/);
  assert.doesNotMatch(await stranger.textContent('[data-headline]'), /Not checked yet/);
  const api = stranger.locator('section.name[data-name="api.lockstep-demo.com"]');
  assert.equal(await api.count(), 1, await stranger.content());
  assert.match(await api.locator('[data-state]').textContent(), /HTTPS OK|Failing: /);
  assert.match(await api.textContent(), /UTC/, 'the last check time');
  assert.ok(await stranger.locator('section.name[data-name="api.lockstep-demo.com"] .bar i').count() >= 90, 'the 90-day bar');
  await stranger.waitForFunction(() => { const i = document.querySelector('img'); return i && i.complete && i.naturalWidth > 0; });
  const badge = await stranger.context().request.get(`${server.url}/status/team7-shop/badge.svg`);
  assert.equal(badge.headers()['content-type'], 'image/svg+xml');
  assert.match(await badge.text(), /<svg[^>]*aria-label="https: /);
  const html = await stranger.content();
  assert.doesNotMatch(html, /arn:aws|\b\d{12}\b/, 'no ARN or account id on the public page');
  assert.equal((await stranger.goto(`${server.url}/status/nobody-here`)).status(), 404);
  await stranger.close();
  // A visitor whose browser prefers Korean reads the page in Korean.
  const korean = await (await browser.newContext({ locale: 'ko-KR' })).newPage();
  await korean.goto(`${server.url}/status/team7-shop`);
  assert.equal(await korean.getAttribute('html', 'lang'), 'ko');
  assert.match(await korean.textContent('[data-headline]'), /[가-힣]/);
  await korean.close();

  // Korean: the switch changes the page at once, the choice survives a reload, and it is kept
  // for the person: another browser where they sign in opens in Korean too.
  await owner.goto(projectUrl);
  await owner.waitForSelector('body[data-hydrated="true"]');
  await owner.click('[data-testid=lang-ko]');
  await owner.waitForSelector('[data-testid=lang-ko][aria-pressed=true]');
  await owner.waitForFunction(() => /[가-힣]/.test(document.querySelector('.tagline').textContent));
  await owner.reload();
  await owner.waitForSelector('body[data-hydrated="true"]');
  assert.equal(await owner.getAttribute('html', 'lang'), 'ko', 'the server renders the chosen language');
  assert.match(await owner.textContent('.tagline'), /[가-힣]/);
  // The server's own field messages come in Korean too.
  await openStep(owner, 'after-status');
  await owner.fill('[data-testid=status-slug]', 'X');
  await owner.click('[data-testid=save-status]');
  await owner.waitForSelector('[data-testid=error-slug]');
  assert.match(await owner.textContent('[data-testid=error-slug]'), /[가-힣]/);
  const elsewhere = await openIn(await browser.newContext(), `${server.url}/signin`);
  await elsewhere.fill('#email', 'minji@example.ac.kr');
  await elsewhere.fill('#password', PASSWORD);
  await elsewhere.click('[data-testid=signin-submit]');
  await elsewhere.waitForURL(`${server.url}/`);
  await elsewhere.waitForSelector('body[data-hydrated="true"]');
  await elsewhere.waitForFunction(() => /[가-힣]/.test(document.querySelector('.tagline').textContent), null, { timeout: 10_000 });
  await closeClean(elsewhere);
  await owner.click('[data-testid=lang-en]');
  await owner.waitForSelector('[data-testid=lang-en][aria-pressed=true]');

  // Signing out ends the session: the project page asks to sign in again.
  await viewer.click('[data-testid=sign-out]');
  await viewer.waitForURL(/\/signin$/);
  await viewer.goto(projectUrl);
  await viewer.waitForURL(/\/signin\?next=/);

  for (const p of [owner, member, viewer]) await closeClean(p);
});
