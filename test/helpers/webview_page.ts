// A panel's built bundle in headless Chromium (Debian's), on the same page the extension serves
// (client/src/panels/panel_html.ts, CSP included), with a stand-in for the VS Code webview API
// that records what the panel posts, and the theme variables VS Code sets for Dark+ / Light+.
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { panelHtml } from '../../client/src/panels/panel_html.js';

const ORIGIN = 'https://webview.tensor-studio.test';
const DIST = resolve(__dirname, '../../dist/webview');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The theme variables the panels read, with VS Code's Dark+ / Light+ / High Contrast values. */
export const THEMES = {
  dark: {
    class: 'vscode-dark', vars: {
      'editor-background': '#1e1e1e', 'editor-foreground': '#d4d4d4', foreground: '#cccccc', descriptionForeground: '#9d9d9d',
      'panel-border': '#80808059', 'sideBar-background': '#252526', 'editorWidget-background': '#252526', focusBorder: '#007fd4',
      'editorLineNumber-foreground': '#858585', 'editorWarning-foreground': '#cca700', errorForeground: '#f48771',
      'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-yellow': '#cca700',
      'charts-purple': '#b180d7', 'charts-foreground': '#cccccc', 'terminal-ansiCyan': '#11a8cd', disabledForeground: '#cccccc80',
      'textLink-foreground': '#3794ff', 'button-secondaryForeground': '#cccccc', 'button-secondaryBackground': '#3a3d41',
      'button-secondaryHoverBackground': '#45494e', 'input-background': '#3c3c3c', 'input-foreground': '#cccccc',
      'dropdown-background': '#3c3c3c', 'dropdown-foreground': '#f0f0f0', 'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100', 'widget-shadow': '#0000005c', 'font-family': 'sans-serif', 'font-size': '13px',
      'editor-font-family': 'monospace',
    },
  },
  light: {
    class: 'vscode-light', vars: {
      'editor-background': '#ffffff', 'editor-foreground': '#000000', foreground: '#616161', descriptionForeground: '#717171',
      'panel-border': '#80808059', 'sideBar-background': '#f3f3f3', 'editorWidget-background': '#f3f3f3', focusBorder: '#0090f1',
      'editorLineNumber-foreground': '#237893', 'editorWarning-foreground': '#bf8803', errorForeground: '#a1260d',
      'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-yellow': '#bf8803',
      'charts-purple': '#652d90', 'charts-foreground': '#616161', 'terminal-ansiCyan': '#0598bc', disabledForeground: '#61616180',
      'textLink-foreground': '#006ab1', 'button-secondaryForeground': '#ffffff', 'button-secondaryBackground': '#5f6a79',
      'button-secondaryHoverBackground': '#4c5561', 'input-background': '#ffffff', 'input-foreground': '#616161',
      'input-border': '#cecece', 'dropdown-background': '#ffffff', 'dropdown-foreground': '#616161', 'dropdown-border': '#cecece',
      'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100', 'widget-shadow': '#00000029',
      'font-family': 'sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
    },
  },
} as const;
export type ThemeName = keyof typeof THEMES;

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (bash scripts/setup-system.sh)`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PanelHandle {
  readonly page: Page;
  /** Messages the panel posted, in order. */
  posted(): Promise<any[]>;
  /** Sends a message to the panel as the extension does. */
  send(message: unknown): Promise<void>;
  setTheme(theme: ThemeName): Promise<void>;
}

/** Opens `panel` ('graph', …) in a new page; resolves once the panel has posted 'ready'. */
export async function openPanel(browser: Browser, panel: string, opts: { theme?: ThemeName; width?: number; height?: number; state?: unknown } = {}): Promise<PanelHandle> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/panel.html') {
      return route.fulfill({ contentType: 'text/html', body: panelHtml({
        title: panel, cspSource: ORIGIN, scriptUri: `${ORIGIN}/${panel}.js`, styleUri: `${ORIGIN}/${panel}.css`,
        data: { layoutWorker: `${ORIGIN}/graph_layout_worker.js`, worker: `${ORIGIN}/${panel}_worker.js` }, workers: true,
      }) });
    }
    const file = join(DIST, path.slice(1));
    if (!file.startsWith(DIST) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: file.endsWith('.css') ? 'text/css' : 'text/javascript', body: readFileSync(file) });
  });
  // A string, not a function: tsx compiles test functions with esbuild's keepNames, whose
  // `__name` helper does not exist in the page. `__name` is defined too, for page.evaluate callbacks.
  await page.addInitScript(`
    window.__name = (f) => f;
    window.__posted = [];
    window.__state = ${JSON.stringify(opts.state ?? null)} ?? undefined;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => window.__state,
      setState: (s) => { window.__state = s; },
    });`);
  await page.goto(`${ORIGIN}/panel.html`);
  const handle: PanelHandle = {
    page,
    posted: () => page.evaluate(() => (window as any).__posted),
    send: (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m),
    setTheme: (theme) => page.evaluate((t) => {
      document.body.className = t.class;
      for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v as string);
    }, THEMES[theme]),
  };
  await handle.setTheme(opts.theme ?? 'dark');
  await page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'ready'), null, { timeout: 10_000 }).catch(() => {
    throw new Error(`panel '${panel}' did not post 'ready'${errors.length ? `: ${errors.join('; ')}` : ''}`);
  });
  return handle;
}
