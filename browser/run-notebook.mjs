// Drives Debian's headless Chromium through Jupyter Notebook 6 pages: for
// each notebook in NOTEBOOKS it opens the notebook, checks that its kernel is
// gosys ("Go (systems)"), clears the stored outputs, runs all cells, waits
// until every code cell has an execution count and the kernel is idle,
// checks the outputs and saves a full-page screenshot. Every rich output of
// a cell whose metadata names views (gosys.view: ["name", ...], one name per
// text/html output, in order) is checked to be drawn (an SVG image or a
// table) and saved on its own as views/NAME.png, both as stored in the
// notebook and opened untrusted (views/stored/NAME.png) and as this run drew
// it; at the end every view in VIEWS must have been seen. Started by browser/run.sh, which supplies PORT, TOKEN,
// NOTEBOOKS, VIEWS, ARTIFACTS and CHROMIUM.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { PORT, TOKEN, ARTIFACTS } = process.env;
const NOTEBOOKS = (process.env.NOTEBOOKS || '').split(/\s+/).filter(Boolean);
const VIEWS = (process.env.VIEWS || '').split(/\s+/).filter(Boolean);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RUN_TIMEOUT = 120_000; // all cells of one notebook
// Text that must be on the page after a run, by notebook.
const EXPECT = {
  '03-pipes.ipynb': [
    'read 6 bytes: "hello\\n"', // the pipe in one process
    'write to the read end: bad file descriptor',
    "no pipes left open in the notebook's process",
  ],
};
const viewDir = join(ARTIFACTS, 'views');

const log = (...a) => console.log('browser:', ...a);

const userDataDir = mkdtempSync(join(tmpdir(), 'gosys-chromium-'));
let context;
let page;
let failed = false;
const seenViews = new Set();

async function unclip() {
  // Notebook 6 scrolls inside #site (a fixed-height box): unclip it so the
  // page itself is as tall as the notebook.
  await page.evaluate(() => {
    for (const el of [document.documentElement, document.body, document.getElementById('site')]) {
      if (!el) continue;
      el.style.height = 'auto';
      el.style.overflow = 'visible';
    }
  });
}

async function fullPageScreenshot(notebook) {
  const path = join(ARTIFACTS, notebook.replace(/\.ipynb$/, '.png'));
  await unclip();
  await page.screenshot({ path, fullPage: true, timeout: 30_000 });
  log('screenshot', path);
}

// markViews marks the rich outputs of the cells that name views and
// returns their names and the problems: a count that does not match the
// names, an output with no drawing in it (an SVG image, an inline <svg>, a
// table).
async function markViews() {
  // Images with data URLs decode asynchronously: wait for them first.
  await page.evaluate(() => Promise.all([...document.querySelectorAll('#notebook img')]
    .map((img) => img.decode().catch(() => {}))));
  return page.evaluate(() => {
    const problems = [];
    const found = [];
    Jupyter.notebook.get_cells().forEach((cell, i) => {
      const names = cell.cell_type === 'code' && cell.metadata.gosys && cell.metadata.gosys.view;
      if (!names) return;
      const outs = [...cell.element[0].querySelectorAll('.output_area .output_html')];
      if (outs.length !== names.length) {
        problems.push(`cell ${i}: ${outs.length} html outputs for views ${JSON.stringify(names)}`);
        return;
      }
      outs.forEach((el, k) => {
        const drawn = el.querySelector('img[src^="data:image/svg+xml;base64,"], svg, table');
        if (!drawn || (drawn.tagName === 'IMG' && !(drawn.complete && drawn.naturalWidth > 0))) {
          problems.push(`view ${names[k]} (cell ${i}): nothing drawn`);
        }
        el.setAttribute('data-gosys-view', names[k]);
        found.push(names[k]);
      });
    });
    return { problems, found };
  });
}

// saveViews screenshots each marked view into viewDir/sub/NAME.png.
async function saveViews(names, sub) {
  await unclip();
  mkdirSync(join(viewDir, sub), { recursive: true });
  for (const name of names) {
    const path = join(viewDir, sub, `${name}.png`);
    await page.locator(`[data-gosys-view="${name}"]`).first().screenshot({ path, timeout: 30_000 });
    log(sub ? `view (${sub})` : 'view', name, '->', path);
  }
}

async function runNotebook(notebook) {
  const url = `http://127.0.0.1:${PORT}/notebooks/${notebook}?token=${TOKEN}`;
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

  // The stored outputs, as someone who opens the handout sees them before
  // running it: the notebook is not trusted on this fresh server, so
  // Jupyter sanitizes its HTML outputs. Every view must still be drawn.
  const trusted = await page.evaluate(() => Jupyter.notebook.trusted);
  if (trusted) throw new Error('the notebook is trusted on a fresh server');
  const stored = await markViews();
  await saveViews(stored.found, 'stored');
  if (stored.problems.length) throw new Error(`stored outputs, untrusted:\n${stored.problems.join('\n')}`);

  // Idle before we start, then clear the stored outputs so that whatever is
  // checked below was produced by this run.
  await page.waitForFunction(
    () => document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null,
    null, { timeout: RUN_TIMEOUT, polling: 250 });
  await page.evaluate(() => Jupyter.notebook.clear_all_output());
  const left = await page.evaluate(() => document.querySelectorAll('#notebook .output_area').length);
  if (left) throw new Error(`${left} stored outputs still shown after clear_all_output`);

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
  const expect = EXPECT[notebook] || [];
  for (const want of expect) {
    if (!result.text.includes(want)) problems.push(`output not in the page: ${want}`);
  }
  const views = await markViews();
  problems.push(...views.problems);
  await saveViews(views.found, '');
  views.found.forEach((name) => seenViews.add(name));
  if (problems.length) throw new Error(problems.join('\n'));
  if (expect.length) log('outputs ok:', expect.map((s) => JSON.stringify(s)).join(', '));
}

try {
  if (!NOTEBOOKS.length) throw new Error('NOTEBOOKS is empty');
  mkdirSync(viewDir, { recursive: true });
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
  for (const notebook of NOTEBOOKS) {
    // A page of its own per notebook: leaving a notebook with new outputs
    // would ask whether to leave.
    page = await context.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    page.on('dialog', (d) => { log('dialog:', d.message()); d.dismiss().catch(() => {}); });
    try {
      await runNotebook(notebook);
    } catch (e) {
      failed = true;
      console.error(`browser: ${notebook}: FAILED:`, e.message);
    } finally {
      try { await fullPageScreenshot(notebook); } catch (e) { failed = true; console.error('browser: screenshot failed:', e.message); }
      // Shut the kernel down before the next notebook starts its own.
      await page.evaluate(() => new Promise((done) => Jupyter.notebook.session.delete(done, done)))
        .catch(() => {});
      await page.close({ runBeforeUnload: false }).catch(() => {});
    }
  }
  const missing = VIEWS.filter((v) => !seenViews.has(v));
  if (missing.length) {
    failed = true;
    console.error('browser: FAILED: views never shown:', missing.join(', '));
  } else if (VIEWS.length) {
    log(`all ${VIEWS.length} views shown and saved under ${viewDir}`);
  }
} catch (e) {
  failed = true;
  console.error('browser: FAILED:', e.message);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
