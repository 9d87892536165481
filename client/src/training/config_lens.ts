// A code lens on run config files (*.tsrun.json, tensor-studio.json, or any JSON declaring the
// run-config schema): "Run Training" and "Open Model" above the first line.
import * as vscode from 'vscode';
import { configRefOf } from './run_configs';

export class RunConfigLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const ref = configRefOf(doc.uri, doc.getText());
    if (!ref || doc.uri.scheme !== 'file') return [];
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(play) Run Training', command: 'tensorStudio.runTraining', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: `Open ${vscode.workspace.asRelativePath(ref.modelFile)}`, command: 'vscode.open', arguments: [vscode.Uri.file(ref.modelFile)] }),
    ];
  }
}
