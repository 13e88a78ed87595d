import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The little of the DOM these helpers touch inside the page (the repo's TypeScript has no DOM library). */
interface PageElement {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  name?: string;
  labels?: ArrayLike<{ textContent: string | null }>;
}
interface PageGlobals {
  document: { activeElement: PageElement | null; documentElement: { scrollWidth: number } };
  innerWidth: number;
  axe: { run: (ctx: unknown, o: unknown) => Promise<unknown> };
}

/** Debian's Chromium (`./dev setup` installs it): playwright-core drives it, nothing is downloaded. */
export const CHROMIUM = process.env['LEADFLOW_CHROMIUM'] ?? '/usr/bin/chromium';
export const ROOT = resolve(__dirname, '..', '..', '..', '..');
export const RESULTS = join(process.env['LEADFLOW_LOCAL_DIR'] ?? join(ROOT, '.local'), 'test-results', 'console');

export function launch(): Promise<Browser> {
  // --no-sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (its source evaluated there, as primer/react's e2e matcher does: no runner plugin),
 * saves the full result as JSON, and returns the serious and critical violations as readable lines.
 */
export async function seriousA11yViolations(page: Page, name: string): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    return g.axe.run(g.document, { resultTypes: ['violations'] });
  });
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `axe-${name}.json`), JSON.stringify(result, null, 2));
  const violations = (result as { violations: AxeViolation[] }).violations;
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')} — ${v.helpUrl}`,
    );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The document is no wider than the viewport (tables scroll inside their own region). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return g.document.documentElement.scrollWidth > g.innerWidth + 1;
  });
}

/**
 * Presses Tab until the focused element's accessible text (or value/label) matches, as a keyboard user would; fails
 * after `max` presses. Returns how many presses it took.
 */
export async function tabTo(page: Page, match: RegExp, max = 80): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => {
      const el = (globalThis as unknown as PageGlobals).document.activeElement;
      // Only what a key acts on: a focusable scroll region's text holds every link inside it.
      if (!el || !['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) return '';
      const label = el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? '';
      return `${el.textContent ?? ''} ${label} ${el.name ?? ''}`.replace(/\s+/g, ' ').trim();
    });
    if (match.test(text)) return i;
  }
  throw new Error(`no focusable element matching ${match} within ${max} Tab presses`);
}
