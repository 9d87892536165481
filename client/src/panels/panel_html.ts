// The page every panel loads: a nonce-based CSP that allows only the extension's own bundles (no
// inline code, no remote content), the panel's stylesheet and script, and named resource URLs
// passed as data attributes. No VS Code API here, so the browser tests build the same page.
import { randomBytes } from 'node:crypto';

export interface PanelPage {
  readonly title: string;
  /** `webview.cspSource`: the origin the webview serves extension files from. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** Extra URLs the script reads from `document.body.dataset` (e.g. a worker script). */
  readonly data?: Readonly<Record<string, string>>;
  /** Lets the page start workers from blob: URLs (a webview cannot start one from a resource URL). */
  readonly workers?: boolean;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(p: PanelPage, nonce = makeNonce()): string {
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource} data: blob:`,
    `style-src ${p.cspSource}`,
    `font-src ${p.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `connect-src ${p.cspSource}`,
    ...(p.workers ? ['worker-src blob:'] : []),
  ].join('; ');
  const data = Object.entries(p.data ?? {}).map(([k, v]) => ` data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${attr(v)}"`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>${attr(p.title)}</title>
</head>
<body${data}>
<div id="app"></div>
<script nonce="${nonce}" src="${attr(p.scriptUri)}"></script>
</body>
</html>`;
}
