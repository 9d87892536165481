// Which run config trains a model: configs are JSON files next to the model (or at the workspace
// root) that are named *.tsrun.json / tensor-studio.json or declare the run-config schema, and
// whose model.file is that model. The one used last for a model is remembered, so the code
// lens trains with one click; a picker appears only when the choice is open.
import * as vscode from 'vscode';
import { parse as parseJsonc } from 'jsonc-parser';
import { basename, dirname, resolve } from 'node:path';

export interface ConfigRef {
  readonly uri: vscode.Uri;
  /** Absolute path of the model file it trains. */
  readonly modelFile: string;
  readonly className?: string;
  readonly name?: string;
}

export const CONFIG_NAME = /(\.tsrun\.json|^tensor-studio\.json)$/;
const SCHEMA_NAME = /run-config\.schema\.json$/;

/** A run config by its name, or by the schema it declares. */
export function looksLikeRunConfig(fileName: string, json: unknown): boolean {
  if (CONFIG_NAME.test(basename(fileName))) return true;
  const schema = (json as { $schema?: unknown } | null)?.$schema;
  return typeof schema === 'string' && SCHEMA_NAME.test(schema);
}

/** The model a config text trains, or undefined when the text is not a run config. */
export function configRefOf(uri: vscode.Uri, text: string): ConfigRef | undefined {
  const json = parseJsonc(text) as Record<string, any> | undefined;
  if (!json || typeof json !== 'object' || !looksLikeRunConfig(uri.fsPath, json)) return undefined;
  const file = json.model?.file;
  if (typeof file !== 'string' || !file) return undefined;
  return {
    uri, modelFile: resolve(dirname(uri.fsPath), file),
    ...(typeof json.model.class === 'string' ? { className: json.model.class } : {}),
    ...(typeof json.name === 'string' ? { name: json.name } : {}),
  };
}

export async function readConfigRef(uri: vscode.Uri): Promise<ConfigRef | undefined> {
  try {
    return configRefOf(uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  } catch {
    return undefined;
  }
}

/** Configs in the model's folder and the workspace root that train `className` of `model`. */
export async function findConfigs(model: vscode.Uri, className: string | undefined): Promise<ConfigRef[]> {
  const folders = new Set([dirname(model.fsPath)]);
  const ws = vscode.workspace.getWorkspaceFolder(model);
  if (ws) folders.add(ws.uri.fsPath);
  const found: ConfigRef[] = [];
  for (const folder of folders) {
    let entries: [string, vscode.FileType][];
    try { entries = await vscode.workspace.fs.readDirectory(vscode.Uri.file(folder)); } catch { continue; }
    for (const [name, type] of entries.sort(([a], [b]) => a.localeCompare(b))) {
      if (type !== vscode.FileType.File || !name.endsWith('.json')) continue;
      const ref = await readConfigRef(vscode.Uri.file(resolve(folder, name)));
      if (ref && ref.modelFile === model.fsPath && (ref.className === undefined || className === undefined || ref.className === className)) found.push(ref);
    }
  }
  return found;
}

const lastKey = (model: vscode.Uri, className: string | undefined) => `tensorStudio.lastConfig:${model.fsPath}#${className ?? ''}`;

export function rememberConfig(state: vscode.Memento, model: vscode.Uri, className: string | undefined, config: vscode.Uri): void {
  void state.update(lastKey(model, className), config.fsPath);
}

export const NEW_CONFIG = 'new';

/**
 * The config to train with: the remembered one, the only one, or the user's pick (with "New run
 * config…" last). `ask` forces the picker when there are several (the palette command).
 */
export async function chooseConfig(
  state: vscode.Memento, model: vscode.Uri, className: string | undefined, configs: readonly ConfigRef[], ask: boolean,
): Promise<ConfigRef | typeof NEW_CONFIG | undefined> {
  if (configs.length === 0) return NEW_CONFIG;
  const last = state.get<string>(lastKey(model, className));
  const remembered = configs.find((c) => c.uri.fsPath === last);
  if (!ask && remembered) return remembered;
  if (configs.length === 1 && !ask) return configs[0];
  type Item = vscode.QuickPickItem & { ref?: ConfigRef };
  const items: Item[] = configs.map((c) => ({
    label: `$(json) ${vscode.workspace.asRelativePath(c.uri)}`,
    description: [...new Set([c.className, c.name].filter(Boolean))].join(' · '),
    detail: c === remembered ? 'used last time' : undefined,
    ref: c,
  }));
  items.push({ label: '$(add) New run config…', description: 'data, epochs, batch size, optimizer, device' });
  const pick = await vscode.window.showQuickPick(items, {
    title: `Train ${className ?? basename(model.fsPath)}`, placeHolder: 'Run config to train with',
  });
  if (!pick) return undefined;
  return pick.ref ?? NEW_CONFIG;
}
