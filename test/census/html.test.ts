/**
 * The HTML report in a real headless browser (Debian's chromium through playwright-core): it
 * loads with the network blocked and asks for nothing, sorting and filtering work, and a
 * screenshot is saved. Skipped, loudly, when chromium is not installed (.ci/run installs it).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { census } from '../../src/census/census.js';
import { renderHtml } from '../../src/census/report.js';
import { generateCorpus } from '../../bench/corpus.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have) process.stderr.write(`html.test.ts: ${CHROMIUM} is missing; the browser test is skipped (apt-get install chromium)\n`);
const maybe = have ? describe : describe.skip;

maybe('census HTML report in headless chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'nh-census-html-'));
  const file = join(dir, 'census.html');

  beforeAll(async () => {
    const c = census(generateCorpus(60, 3), { root: 'generated' });
    writeFileSync(file, renderHtml(c));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads offline, sorts, filters, and renders', async () => {
    const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const attempted: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      attempted.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(pathToFileURL(file).href);
    expect(attempted).toEqual([]);
    expect(errors).toEqual([]);

    const total = await page.locator('#services tbody tr').count();
    expect(total).toBeGreaterThan(60);
    await expect(page.locator('#count').textContent()).resolves.toBe(`${total} of ${total} services`);
    expect(await page.locator('#histogram rect').count()).toBe(10);
    expect(await page.locator('#categories tbody tr').count()).toBeGreaterThan(1);

    // Sorting by exposure (column 5), ascending then descending.
    const exposures = async () => (await page.locator('#services tbody tr td:nth-child(5)').allTextContents()).map(Number);
    await page.click('#services th:nth-child(5)');
    const asc = await exposures();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.click('#services th:nth-child(5)');
    const desc = await exposures();
    expect(desc).toEqual([...asc].sort((a, b) => b - a));
    // Sorting by name (text).
    await page.click('#services th:nth-child(1)');
    const names = await page.locator('#services tbody tr td:nth-child(1)').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

    // Filtering by text and by rating.
    const first = names[0]!;
    await page.fill('#filter', first);
    const visible = page.locator('#services tbody tr:not([hidden])');
    expect(await visible.count()).toBeGreaterThanOrEqual(1);
    expect(await visible.count()).toBeLessThan(total);
    for (const t of await visible.locator('td:nth-child(1)').allTextContents()) expect(t.toLowerCase()).toContain(first.toLowerCase());
    await page.fill('#filter', '');
    await page.selectOption('#rating', 'UNSAFE');
    const ratings = await visible.locator('td:nth-child(6)').allTextContents();
    expect(ratings.length).toBeGreaterThan(0);
    expect(new Set(ratings)).toEqual(new Set(['UNSAFE']));
    await page.selectOption('#rating', '');
    expect(await visible.count()).toBe(total);

    const shot = join(dir, 'census.png');
    await page.screenshot({ path: shot, fullPage: false });
    expect(existsSync(shot)).toBe(true);
    process.stderr.write(`census report screenshot: ${shot}\n`);
    expect(attempted).toEqual([]);
    await context.close();
  });
});
