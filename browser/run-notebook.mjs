// Drives Debian's headless Chromium through a Jupyter Notebook 6 page: opens
// the notebook, checks that its kernel is gosys ("Go (systems)"), clears the
// stored outputs, runs all cells, waits until every code cell has an
// execution count and the kernel is idle, checks the outputs and saves a
// full-page screenshot. Started by browser/run.sh, which supplies PORT, TOKEN,
// NOTEBOOK, ARTIFACTS and CHROMIUM.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { PORT, TOKEN, NOTEBOOK, ARTIFACTS } = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RUN_TIMEOUT = 120_000; // all cells
const EXPECT = [
  'read 6 bytes: "hello\\n"', // the pipe in one process
  'write to the read end: bad file descriptor',
  "no pipes left open in the notebook's process",
];
const screenshot = join(ARTIFACTS, NOTEBOOK.replace(/\.ipynb$/, '.png'));

const log = (...a) => console.log('browser:', ...a);

const userDataDir = mkdtempSync(join(tmpdir(), 'gosys-chromium-'));
let context;
let page;
let failed = false;

async function fullPageScreenshot() {
  // Notebook 6 scrolls inside #site (a fixed-height box): unclip it so the
  // page itself is as tall as the notebook.
  await page.evaluate(() => {
    for (const el of [document.documentElement, document.body, document.getElementById('site')]) {
      if (!el) continue;
      el.style.height = 'auto';
      el.style.overflow = 'visible';
    }
  });
  await page.screenshot({ path: screenshot, fullPage: true, timeout: 30_000 });
  log('screenshot', screenshot);
}

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => log('page error:', e.message));
  page.on('dialog', (d) => { log('dialog:', d.message()); d.dismiss().catch(() => {}); });

  const url = `http://127.0.0.1:${PORT}/notebooks/${NOTEBOOK}?token=${TOKEN}`;
  log('open', url.replace(TOKEN, '…'));
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });

  // The notebook is loaded and its kernel session is connected.
  await page.waitForFunction(() => {
    const nb = window.Jupyter && window.Jupyter.notebook;
    return nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected();
  }, null, { timeout: 60_000, polling: 250 });

  let kernel = await page.evaluate(() => ({
    name: Jupyter.notebook.kernel.name,
    display: Jupyter.notebook.metadata.kernelspec && Jupyter.notebook.metadata.kernelspec.display_name,
  }));
  if (kernel.name !== 'gosys') {
    log(`kernel is ${kernel.name}, switching to gosys`);
    await page.evaluate(() => Jupyter.notebook.kernel_selector.set_kernel('gosys'));
    await page.waitForFunction(() => Jupyter.notebook.kernel && Jupyter.notebook.kernel.name === 'gosys' &&
      Jupyter.notebook.kernel.is_connected(), null, { timeout: 60_000, polling: 250 });
  }
  // The kernel indicator in the toolbar names it as the kernelspec does.
  await page.waitForFunction(() => {
    const el = document.querySelector('.kernel_indicator_name');
    return el && el.textContent.trim() === 'Go (systems)';
  }, null, { timeout: 30_000, polling: 250 });
  kernel = await page.evaluate(() => ({
    name: Jupyter.notebook.kernel.name,
    indicator: document.querySelector('.kernel_indicator_name').textContent.trim(),
  }));
  log(`kernel ${kernel.name} ("${kernel.indicator}")`);
  if (kernel.name !== 'gosys') throw new Error(`kernel is ${kernel.name}, not gosys`);

  // Idle before we start, then clear the stored outputs so that whatever is
  // checked below was produced by this run.
  const idle = () => page.waitForFunction(
    () => document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null,
    null, { timeout: RUN_TIMEOUT, polling: 250 });
  await idle();
  await page.evaluate(() => Jupyter.notebook.clear_all_output());
  const stale = await page.evaluate((want) => document.getElementById('notebook').innerText.includes(want), EXPECT[0]);
  if (stale) throw new Error('stored outputs still shown after clear_all_output');

  const cells = await page.evaluate(() => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').length);
  log(`running all cells (${cells} code cells)`);
  const t0 = Date.now();
  await page.evaluate(() => Jupyter.notebook.execute_all_cells());
  try {
    await page.waitForFunction(() => {
      const code = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      return code.every((c) => typeof c.input_prompt_number === 'number') &&
        document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
    }, null, { timeout: RUN_TIMEOUT, polling: 500 });
  } catch (e) {
    const pending = await page.evaluate(() => Jupyter.notebook.get_cells()
      .map((c, i) => [i, c.cell_type, c.input_prompt_number])
      .filter(([, t, n]) => t === 'code' && typeof n !== 'number'));
    throw new Error(`cells not done within ${RUN_TIMEOUT / 1000} s (index, type, prompt): ${JSON.stringify(pending)}`);
  }
  log(`all cells ran in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const result = await page.evaluate(() => ({
    counts: Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').map((c) => c.input_prompt_number),
    errors: [...document.querySelectorAll('.output_error')]
      .filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
      .map((el) => el.innerText.slice(0, 500)),
    text: document.getElementById('notebook').innerText,
  }));
  log('execution counts', JSON.stringify(result.counts));
  const problems = [];
  if (result.errors.length) problems.push(`${result.errors.length} error output(s):\n${result.errors.join('\n---\n')}`);
  for (const want of EXPECT) {
    if (!result.text.includes(want)) problems.push(`output not in the page: ${want}`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
  log('outputs ok:', EXPECT.map((s) => JSON.stringify(s)).join(', '));
} catch (e) {
  failed = true;
  console.error('browser: FAILED:', e.message);
} finally {
  if (page) {
    try { await fullPageScreenshot(); } catch (e) { failed = true; console.error('browser: screenshot failed:', e.message); }
  }
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
