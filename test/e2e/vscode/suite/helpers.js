// What the extension-host suites share: waiting for asynchronous state, and stubbing the
// vscode.window dialogs a test answers itself.
const fs = require('node:fs');
const vscode = require('vscode');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const root = () => vscode.workspace.workspaceFolders[0].uri.fsPath;

/** Retries `fn` until it returns a truthy value (a throw counts as not yet; its error is reported at the timeout). */
async function eventually(what, fn, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** Replaces vscode.window functions for one test (the API object is shared with the extension); returns the undo. */
function stub(replacements) {
  const orig = {};
  for (const [k, f] of Object.entries(replacements)) { orig[k] = vscode.window[k]; vscode.window[k] = f; }
  return () => Object.assign(vscode.window, orig);
}

const FASHION = '/usr/share/datasets/fashion-mnist';

/** In a mocha `before`: the suite needs Debian's Fashion-MNIST; required in CI, skipped without it elsewhere. */
function requireFashion(ctx) {
  if (fs.existsSync(`${FASHION}/train-images-idx3-ubyte.gz`)) return;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`Fashion-MNIST (${FASHION}) is required in CI`);
  ctx.skip();
}

module.exports = { FASHION, sleep, root, eventually, stub, requireFashion };
