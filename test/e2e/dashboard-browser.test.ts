/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * `chime serve`: login link, live updates, dead letters retried from the UI, a queue paused and
 * resumed from the UI, a read-only session, phone width, keyboard reach. One browser for all
 * cases; a screenshot of each view goes to test-artifacts/dashboard/.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChime, startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { tempDir } from '../support/temp.js';

const ARTIFACTS = new URL('../../test-artifacts/dashboard/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 20_000 };

let chime: ChimeProcess;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
let receiver: Server;
let store: string;
/** Callbacks for jobs whose name starts with "flaky" fail while this is true. */
let flakyFails = true;

async function api(method: string, path: string, body?: unknown, token = adminToken): Promise<any> {
  const response = await fetch(`${chime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
let adminToken = '';
let stdout = '';

async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const shot = (p: Page, name: string) => p.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  receiver = createServer((request, response) => {
    const flaky = request.url?.includes('flaky') || false;
    request.resume();
    request.on('end', () => {
      response.statusCode = flaky && flakyFails ? 500 : 200;
      response.end(flaky && flakyFails ? 'database is down' : 'ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  const dir = tempDir();
  store = `sqlite:${dir}/chime.db`;
  chime = await startChime([
    '--store', store,
    '--app-url', `http://127.0.0.1:${port}`,
    '--callback-style', 'dapr',
    '--max-retries', '1',
    '--retry-interval', '200ms',
    '--tasks', new URL('../fixtures/dashboard-tasks.mjs', import.meta.url).pathname,
  ]);
  // The login link is printed on stdout (the log redacts credentials).
  chime.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  adminToken = (await runChime(['token', '--store', store])).stdout.trim();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
    // Playwright gives the browser a fresh, temporary --user-data-dir itself (it refuses one in args).
  });
  admin = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await admin.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (chime) await stopChime(chime);
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('dashboard in Chromium', () => {
  it('signs in with the login link chime serve printed, once', async () => {
    const link = /login link[^:]*: (http:\/\/\S+\/ui\/login\?token=\S+)/.exec(stdout)?.[1];
    expect(link).toBeDefined();
    await page.goto(link!);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await page.getByRole('heading', { name: 'Overview' }).waitFor(WAIT);
    await page.getByText('● live').waitFor(WAIT);
    // The cookie is HttpOnly and SameSite=Strict.
    const cookie = (await admin.cookies()).find((c) => c.name === 'chime_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    // One use: the same link does not open a second session.
    const again = await fetch(link!, { redirect: 'manual' });
    expect(again.status).toBe(401);
  });

  it('shows a job created through the API live, then its firing with lateness', async () => {
    await page.goto(`${chime.url}/ui/#/jobs`);
    await page.getByRole('heading', { name: 'Jobs (Dapr)' }).waitFor(WAIT);
    await api('POST', '/v1.0-alpha1/jobs/report-daily', { schedule: '@every 1s', repeats: 5, data: { user_id: 42 } });
    // No reload: the live feed brings it in.
    await page.getByRole('link', { name: 'report-daily' }).waitFor(WAIT);
    await shot(page, 'jobs');
    await page.getByRole('link', { name: 'report-daily' }).click();
    await page.getByRole('heading', { name: 'Job report-daily' }).waitFor(WAIT);
    const lateness = page.getByTestId('lateness');
    await lateness.first().waitFor(WAIT);
    expect(await lateness.first().textContent()).toMatch(/^\d+ ms$/);
    // Each firing joins the timeline as it happens.
    await until(async () => (await lateness.count()) === 5, 'five firings on the page');
    await page.locator('.timeline').getByText('succeeded').first().waitFor(WAIT);
    await shot(page, 'job-timeline');
  });

  it('lands a failing callback in dead letters, retries it from the UI, and it succeeds', async () => {
    await page.goto(`${chime.url}/ui/#/dead-letters`);
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor(WAIT);
    await api('POST', '/v1.0-alpha1/jobs/flaky-invoice', { dueTime: '1s', data: { invoice: 7 } });
    const row = page.locator('tr[data-dead-letter="flaky-invoice"]');
    await row.waitFor(WAIT);
    await shot(page, 'dead-letters');
    await row.getByRole('link', { name: 'Inspect' }).click();
    await page.getByRole('heading', { name: 'Failed attempts' }).waitFor(WAIT);
    await page.getByText('app answered HTTP 500').first().waitFor(WAIT);
    await shot(page, 'dead-letter-attempts');
    await page.goBack();
    flakyFails = false;
    await page.locator('tr[data-dead-letter="flaky-invoice"]').getByRole('button', { name: 'Retry' }).click();
    await page.locator('tr[data-dead-letter="flaky-invoice"]').waitFor({ state: 'detached', ...WAIT });
    const history = await until(async () => {
      const h = await api('GET', '/v1.0/jobs/flaky-invoice/history');
      return h.history.some((e: { outcome: string }) => e.outcome === 'succeeded') && h;
    }, 'the retried delivery to succeed');
    expect(history.history.filter((e: { outcome: string }) => e.outcome !== 'succeeded').length).toBeGreaterThanOrEqual(2);
  });

  it('pauses a queue from the UI so its jobs wait, and resumes it', async () => {
    page.on('dialog', (dialog) => void dialog.accept());
    await api('POST', '/api/v1/jobs', { task_name: 'greet', kwargs: { to: 'first' } });
    await until(async () => (await api('GET', '/api/v1/jobs?status=completed')).total >= 1, 'the first job');
    await page.goto(`${chime.url}/ui/#/queues`);
    const row = page.locator('tr[data-queue="mail"]');
    await row.getByRole('button', { name: 'Pause' }).click(WAIT);
    await row.getByText('paused').waitFor(WAIT);
    const waiting = await api('POST', '/api/v1/jobs', { task_name: 'greet', kwargs: { to: 'later' } });
    // Paused: the job is not claimed (two seconds, well past the engine's millisecond timing).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await api('GET', `/api/v1/jobs/${waiting.id}`)).status).toBe('pending');
    await row.getByText('1', { exact: true }).first().waitFor(WAIT);
    await shot(page, 'queues');
    await row.getByRole('button', { name: 'Resume' }).click();
    await until(async () => (await api('GET', `/api/v1/jobs/${waiting.id}`)).status === 'completed', 'the job to run after resume');
  });

  it('shows every view (screenshots), platform jobs with their error and traceback', async () => {
    const failed = await api('POST', '/api/v1/jobs', { task_name: 'explode', kwargs: {} });
    await api('POST', '/api/v1/schedules', { name: 'nightly-digest', task_name: 'greet', cron_expression: '0 3 * * *', kwargs: { to: 'team' } });
    await until(async () => (await api('GET', `/api/v1/jobs/${failed.id}`)).status === 'failed', 'the failing task');
    await page.goto(`${chime.url}/ui/#/platform/${failed.id}`);
    await page.getByText('the fuse was lit').first().waitFor(WAIT);
    await page.getByRole('button', { name: 'Retry' }).waitFor(WAIT);
    await shot(page, 'platform-job');
    await page.goto(`${chime.url}/ui/#/platform`);
    await page.getByRole('heading', { name: 'Platform jobs' }).waitFor(WAIT);
    await page.locator('table').getByText('explode').first().waitFor(WAIT);
    await shot(page, 'platform-jobs');
    await page.goto(`${chime.url}/ui/#/schedules`);
    await page.getByText('nightly-digest').waitFor(WAIT);
    await shot(page, 'schedules');
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByTestId('preview').locator('li').nth(9).waitFor(WAIT);
    await page.getByLabel('Cron expression', { exact: false }).fill('*/15 * * * *');
    await until(async () => (await page.getByTestId('preview').locator('li').count()) === 10 && (await page.getByTestId('preview').textContent())!.includes(':15:'), 'the preview to follow the expression');
    await shot(page, 'schedule-edit');
    await page.goto(`${chime.url}/ui/#/tasks`);
    await page.getByRole('cell', { name: 'greet' }).waitFor(WAIT);
    await shot(page, 'tasks-workers');
    await page.goto(`${chime.url}/ui/#/`);
    await page.getByTestId('fired-last-hour').waitFor(WAIT);
    await until(async () => Number(await page.getByTestId('fired-last-hour').textContent()) >= 3, 'the overview to count firings');
    await shot(page, 'overview');
    await page.goto(`${chime.url}/docs/`);
    await page.getByText('Chime', { exact: false }).first().waitFor(WAIT);
    await shot(page, 'api-docs');
  });

  it('refuses a state-changing request without the CSRF header, even from the signed-in browser', async () => {
    const status = await page.evaluate(async () => (await fetch('/api/v1/queues/mail/pause', { method: 'POST' })).status);
    expect(status).toBe(403);
  });

  it('gives a read-scope session no action buttons, and refuses its forged POST', async () => {
    const { stdout } = await runChime(['token', '--login-link', '--scope', 'read', '--store', store, '--server', chime.url]);
    const reader = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const readPage = await reader.newPage();
    await readPage.goto(stdout.trim());
    await readPage.getByText('(read)').waitFor(WAIT);
    await readPage.goto(`${chime.url}/ui/#/queues`);
    await readPage.locator('tr[data-queue="mail"]').waitFor(WAIT);
    await readPage.goto(`${chime.url}/ui/#/dead-letters`);
    await readPage.getByRole('heading', { name: 'Dead letters' }).waitFor(WAIT);
    await readPage.goto(`${chime.url}/ui/#/schedules`);
    await readPage.getByText('nightly-digest').waitFor(WAIT);
    for (const hash of ['#/queues', '#/schedules', '#/platform']) {
      await readPage.goto(`${chime.url}/ui/${hash}`);
      await readPage.locator('table').first().waitFor(WAIT);
      // Actions (and links to forms that act); search forms' own buttons are not actions.
      const buttons = await readPage.locator('main .action, main a.button, main input[type=number]').allTextContents();
      expect(buttons, hash).toEqual([]);
    }
    const forged = await readPage.evaluate(async () => {
      const session = (await (await fetch('/ui/session')).json()) as { csrf_token: string };
      const response = await fetch('/api/v1/queues/mail/pause', { method: 'POST', headers: { 'x-chime-csrf': session.csrf_token } });
      return { status: response.status, body: (await response.json()) as { code: string } };
    });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('FORBIDDEN');
    expect((await api('GET', '/api/v1/queues')).items.find((q: { name: string }) => q.name === 'mail').is_paused).toBe(false);
    await reader.close();
  });

  it('fits a phone screen and every control is reachable by keyboard', async () => {
    const phone = await admin.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/', '#/jobs/report-daily', '#/queues']) {
      await phone.goto(`${chime.url}/ui/${hash}`);
      await phone.locator('main h1').waitFor(WAIT);
      // The page itself never scrolls sideways; wide tables scroll inside their own box.
      expect(await phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1'), hash).toBe(true);
    }
    await shot(phone, 'phone-queues');
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await phone.keyboard.press('Tab');
      reached.add(await phone.evaluate<string>("(document.activeElement?.textContent ?? '').trim()"));
    }
    for (const label of ['Skip to content', 'Overview', 'Jobs', 'Dead letters', 'Pause', 'Clear', 'Set']) expect(reached, label).toContain(label);
    await phone.keyboard.press('Shift+Tab');
    await phone.close();
  });
});
