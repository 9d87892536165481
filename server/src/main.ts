// Language server entry point (LSP wiring only). Runs standalone: `node dist/server.js --stdio`;
// the extension starts it with `--node-ipc`. createConnection() picks the transport from argv.
// Every handler is guarded: an exception is logged and answered with an empty result, so user
// input never takes the server down.
import {
  createConnection, ProposedFeatures, TextDocumentSyncKind, DidChangeConfigurationNotification,
  type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { DocumentStore, type AnalyzedDocument } from './documents.js';
import { hoverAt } from './hover.js';
import { diagnosticsFor } from './diagnostics.js';
import { inlayHintsFor } from './inlay_hints.js';
import { codeLensesFor } from './code_lens.js';
import { graphFor } from './graph.js';
import { GRAPH_PROTOCOL_VERSION, GraphRequest } from './protocol.js';

const DIAGNOSTICS_DEBOUNCE_MS = 75;
const SERVER_VERSION = '0.1.0';

interface Settings { inlayHintsEnabled: boolean }

const USAGE = `Usage: node dist/server.js --stdio | --node-ipc | --socket=PORT | --pipe=NAME

The Tensor Studio language server (LSP 3.17): hover, diagnostics, inlay hints and code lens
with tensor shapes for PyTorch model files, plus the tensorStudio/graph request.
Settings (workspace/configuration section 'tensorStudio', or initializationOptions):
  inlayHints.enabled   show shapes after assignments (default true)`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
  console.error(`tensor-studio server: no transport given.\n\n${USAGE}`);
  process.exit(2);
}

const connection = createConnection(ProposedFeatures.all);

function logError(what: string, err: unknown): void {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  connection.console.error(`tensor-studio: ${what}: ${detail}`);
}

const SLOW_ANALYSIS_MS = 300;
const documents = new DocumentStore(logError);
// Slow analyses block every request behind them: say so (as a warning, with the file) so they can be found.
documents.onAnalysed = (doc, ms) => {
  if (ms > SLOW_ANALYSIS_MS) connection.console.warn(`tensor-studio: analysis of ${doc.uri} (version ${doc.version}, ${doc.text.length} chars) took ${ms.toFixed(0)} ms`);
};
const timers = new Map<string, NodeJS.Timeout>();
let supportsConfiguration = false;
let supportsInlayRefresh = false;
let settings: Settings = { inlayHintsEnabled: true };

/** Settings from a `tensorStudio` section object (workspace/configuration, initializationOptions or didChangeConfiguration). */
function readSettings(section: unknown, fallback: Settings): Settings {
  const s = (section && typeof section === 'object' ? section : {}) as Record<string, unknown>;
  const inlay = s.inlayHints as Record<string, unknown> | undefined;
  const flat = s['inlayHints.enabled'];
  const enabled = inlay && typeof inlay === 'object' && typeof inlay.enabled === 'boolean' ? inlay.enabled
    : typeof flat === 'boolean' ? flat : fallback.inlayHintsEnabled;
  return { inlayHintsEnabled: enabled };
}

async function refreshSettings(pushed?: unknown): Promise<void> {
  const before = settings.inlayHintsEnabled;
  if (supportsConfiguration) {
    try {
      settings = readSettings(await connection.workspace.getConfiguration({ section: 'tensorStudio' }), settings);
    } catch (err) {
      logError('reading the tensorStudio settings failed', err);
    }
  } else if (pushed !== undefined) {
    const all = pushed as Record<string, unknown> | null;
    settings = readSettings(all && typeof all === 'object' ? all.tensorStudio ?? all : undefined, settings);
  }
  if (settings.inlayHintsEnabled !== before && supportsInlayRefresh) {
    connection.languages.inlayHint.refresh().catch((err: unknown) => logError('inlay hint refresh failed', err));
  }
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const caps = params.capabilities;
  supportsConfiguration = caps.workspace?.configuration === true;
  supportsInlayRefresh = caps.workspace?.inlayHint?.refreshSupport === true;
  const init = params.initializationOptions as Record<string, unknown> | undefined;
  settings = readSettings(init?.tensorStudio ?? init, settings);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      inlayHintProvider: { resolveProvider: false },
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'tensor-studio', version: SERVER_VERSION },
  };
});

connection.onInitialized(() => {
  if (supportsConfiguration) {
    connection.client.register(DidChangeConfigurationNotification.type, { section: 'tensorStudio' })
      .catch((err: unknown) => logError('registering for configuration changes failed', err));
    void refreshSettings();
  }
});

connection.onDidChangeConfiguration((change) => { void refreshSettings(change.settings); });

function publish(doc: AnalyzedDocument): void {
  const result = doc.result();
  const version = doc.analyzedVersion;
  connection.sendDiagnostics({ uri: doc.uri, ...(version !== undefined ? { version } : {}), diagnostics: diagnosticsFor(result, doc.uri) })
    .catch((err: unknown) => logError('sending diagnostics failed', err));
}

function schedule(doc: AnalyzedDocument, delay: number): void {
  clearTimeout(timers.get(doc.uri));
  timers.set(doc.uri, setTimeout(() => {
    timers.delete(doc.uri);
    guard(`diagnostics for ${doc.uri}`, () => { if (documents.get(doc.uri) === doc) publish(doc); }, undefined);
  }, delay));
}

/** Runs a handler; on an exception logs it and returns `fallback` (never rejects the request). */
function guard<T>(what: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    logError(what, err);
    return fallback;
  }
}

connection.onDidOpenTextDocument(({ textDocument: td }) => guard('didOpen', () => {
  const doc = documents.open(td.uri, td.languageId, td.version, td.text);
  if (doc) schedule(doc, 0);
}, undefined));

connection.onDidChangeTextDocument(({ textDocument: td, contentChanges }) => guard('didChange', () => {
  const doc = documents.get(td.uri);
  if (!doc) return;
  doc.applyChanges(contentChanges, td.version);
  schedule(doc, DIAGNOSTICS_DEBOUNCE_MS);
}, undefined));

connection.onDidCloseTextDocument(({ textDocument: td }) => guard('didClose', () => {
  clearTimeout(timers.get(td.uri));
  timers.delete(td.uri);
  if (documents.close(td.uri)) connection.sendDiagnostics({ uri: td.uri, diagnostics: [] }).catch(() => undefined);
}, undefined));

connection.onHover(({ textDocument, position }) => guard('hover', () => {
  const doc = documents.get(textDocument.uri);
  return doc ? hoverAt(doc.result(), position) : null;
}, null));

connection.languages.inlayHint.on(({ textDocument, range }) => guard('inlay hints', () => {
  const doc = documents.get(textDocument.uri);
  if (!doc || !settings.inlayHintsEnabled) return [];
  return inlayHintsFor(doc.result(), range);
}, []));

connection.onCodeLens(({ textDocument }) => guard('code lens', () => {
  const doc = documents.get(textDocument.uri);
  return doc ? codeLensesFor(doc.result(), doc.uri) : [];
}, []));

connection.onRequest(GraphRequest, (params) => guard('graph', () => {
  const doc = params && typeof params.uri === 'string' ? documents.get(params.uri) : undefined;
  return graphFor(doc?.result(), typeof params?.className === 'string' ? params.className : undefined);
}, { kind: 'error', version: GRAPH_PROTOCOL_VERSION, message: 'Building the graph failed; see the Tensor Studio output channel.', available: [] }));

// Last line of defence: log and stay up rather than dying on a bug in a handler's async tail.
process.on('uncaughtException', (err) => logError('uncaught exception', err));
process.on('unhandledRejection', (err) => logError('unhandled rejection', err));

connection.listen();
