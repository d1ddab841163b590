/**
 * A real headless Chromium (Debian's `chromium`) loading a page, for tests and scripts.
 *
 *   const page = await renderPage('http://127.0.0.1:PORT/', { waitForText: 'show.mkv', screenshot: 'out.png' });
 *   page.dom    // document.documentElement.outerHTML once the text appeared
 *
 * `chromium --headless --dump-dom URL` dumps at the load event, before a single-page app such as
 * Flood has fetched anything, and `--virtual-time-budget` never ends while the page holds an
 * EventSource open (Flood's activity stream). So the browser is driven over the DevTools protocol
 * on a pipe (`--remote-debugging-pipe`: commands on fd 3, answers on fd 4, each JSON message ended
 * by a NUL byte): navigate, poll the rendered DOM until the text is there, then take the
 * screenshot. No port is opened; the browser runs with its own temporary profile and is stopped
 * by its pid. Call needs(t, { commands: ['chromium'] }) first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface RenderOptions {
  /** Resolve once the rendered DOM contains this text. */
  waitForText: string;
  /** Write a PNG of the viewport here once the text is there. */
  screenshot?: string;
  width?: number;
  height?: number;
  timeoutMs?: number;
}

export interface RenderedPage {
  dom: string;
  /** Milliseconds from navigation until the text appeared. */
  elapsedMs: number;
}

type Message = { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; sessionId?: string };

export async function renderPage(url: string, options: RenderOptions): Promise<RenderedPage> {
  const width = options.width ?? 1280;
  const height = options.height ?? 800;
  const profile = mkdtempSync(join(tmpdir(), 'btui-chromium-'));
  const child = spawn(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--remote-debugging-pipe',
      `--window-size=${width},${height}`,
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      '--disable-sync',
      '--hide-scrollbars',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  const waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let buffered = Buffer.alloc(0);
  const exited = new Promise<never>((_, reject) =>
    child.once('close', (code, signal) =>
      reject(new Error(`chromium exited (${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)),
    ),
  );
  exited.catch(() => undefined);
  child.once('close', () => {
    for (const w of waiting.values()) w.reject(new Error('chromium exited'));
    waiting.clear();
  });
  fromBrowser.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let end = buffered.indexOf(0); end >= 0; end = buffered.indexOf(0)) {
      const message = JSON.parse(buffered.subarray(0, end).toString('utf8')) as Message;
      buffered = buffered.subarray(end + 1);
      const w = message.id !== undefined ? waiting.get(message.id) : undefined;
      if (!w) continue;
      waiting.delete(message.id!);
      if (message.error) w.reject(new Error(message.error.message));
      else w.resolve(message);
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> => {
    const id = nextId++;
    const reply = new Promise<Message>((resolve, reject) => waiting.set(id, { resolve, reject }));
    toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return Promise.race([reply, exited]).then((m) => m.result ?? {});
  };

  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  try {
    const { targetInfos } = (await send('Target.getTargets')) as { targetInfos: { targetId: string; type: string }[] };
    const page = targetInfos.find((t) => t.type === 'page');
    if (!page) throw new Error('chromium opened no page');
    const { sessionId } = (await send('Target.attachToTarget', { targetId: page.targetId, flatten: true })) as { sessionId: string };
    await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    const started = Date.now();
    await send('Page.navigate', { url }, sessionId);
    for (;;) {
      // The text, outside the markup's attributes and scripts: in what the page shows.
      const { result: shown } = (await send(
        'Runtime.evaluate',
        { expression: 'document.body ? document.body.innerText : ""', returnByValue: true },
        sessionId,
      )) as { result: { value?: string } };
      if ((shown.value ?? '').includes(options.waitForText)) break;
      if (Date.now() > deadline)
        throw new Error(`the page never showed ${JSON.stringify(options.waitForText)}; it shows: ${(shown.value ?? '').slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const elapsedMs = Date.now() - started;
    // Read once the text is shown: a DOM read before the check could miss what React rendered in between.
    const { result } = (await send(
      'Runtime.evaluate',
      { expression: 'document.documentElement.outerHTML', returnByValue: true },
      sessionId,
    )) as { result: { value?: string } };
    const dom = result.value ?? '';
    if (options.screenshot) {
      // Let running transitions (Flood fades its loading overlay out over a second) finish.
      await new Promise((r) => setTimeout(r, 1500));
      const { data } = (await send('Page.captureScreenshot', { format: 'png' }, sessionId)) as { data: string };
      writeFileSync(options.screenshot, Buffer.from(data, 'base64'));
    }
    await send('Browser.close').catch(() => undefined);
    return { dom, elapsedMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
    }
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}
