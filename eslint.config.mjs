import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['.device/**', '.gl/**', 'dist/**', 'node_modules/**', 'test/e2e/vscode/node_modules/**', '**/*.js', 'out/**', '.vscode-test/**', 'runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Architecture invariant: engine/ knows nothing of VS Code, the server or the client.
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        // vscode-jsonrpc is plain JSON-RPC (no VS Code, no LSP): the engine host's protocol is built on it.
        { group: ['vscode', 'vscode-*', '!vscode-jsonrpc', '!vscode-jsonrpc/*'], message: 'engine/ must not depend on VS Code or LSP.' },
        { group: ['**/client/**', '**/server/**', '**/webview/**'], message: 'engine/ is the bottom layer.' },
      ] }],
    },
  },
);
