// Show Model Graph: from the code lens (uri, className), the editor title button or the palette.
// With no class named and several in the file, the user picks one; the panel comes back after a
// window reload through the serializer.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GraphRequest } from '../../../server/src/protocol';
import { GRAPH_VIEW_TYPE, GraphPanel } from '../panels/graph_panel';
import { resolveModelTarget } from './args';

type ClientGetter = () => Promise<LanguageClient | undefined>;

export function registerGraphCommands(context: vscode.ExtensionContext, getClient: ClientGetter, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('tensorStudio.showGraph', (uriArg?: unknown, classArg?: unknown) => showGraph(context, getClient, log, uriArg, classArg)),
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        GraphPanel.revive(panel, context.extensionUri, getClient, log, state);
      },
    }),
    { dispose: () => GraphPanel.current?.dispose() },
  );
}

async function showGraph(context: vscode.ExtensionContext, getClient: ClientGetter, log: vscode.LogOutputChannel, uriArg: unknown, classArg: unknown): Promise<GraphPanel | undefined> {
  const target = resolveModelTarget(uriArg, classArg);
  if (!target) {
    void vscode.window.showInformationMessage('Tensor Studio: open a Python file with an nn.Module to show its graph.');
    return undefined;
  }
  // The language server analyses open documents: open it (without showing it) if the caller named a file.
  await vscode.workspace.openTextDocument(target.uri).then(undefined, () => undefined);
  let className = target.className;
  if (className === undefined) {
    const picked = await pickClass(getClient, target.uri);
    if (picked === null) return undefined; // the user dismissed the pick
    className = picked;
  }
  return GraphPanel.createOrShow(context.extensionUri, getClient, log, { uri: target.uri, className });
}

/**
 * The class to draw when the caller named none: the only one, or the user's pick when the file
 * has several (the server's default, its top-level model, comes first). undefined = let the server
 * choose (nothing to pick from, or the server is not up: the panel then says why); null = dismissed.
 */
async function pickClass(getClient: ClientGetter, uri: vscode.Uri): Promise<string | undefined | null> {
  const client = await getClient();
  if (!client?.isRunning()) return undefined;
  const r = await client.sendRequest(GraphRequest, { uri: uri.toString() }).catch(() => undefined);
  if (!r || r.available.length < 2) return undefined;
  const first = r.kind === 'graph' ? r.className : undefined;
  const names = first ? [first, ...r.available.filter((n) => n !== first)] : [...r.available];
  const item = await vscode.window.showQuickPick(
    names.map((n) => ({ label: n, description: n === first ? 'top-level model' : undefined })),
    { title: 'Show Model Graph', placeHolder: 'Which nn.Module to draw?' },
  );
  return item ? item.label : null;
}
