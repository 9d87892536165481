// `tensor-studio check FILE...`: shape-check model files (arrives with the language-server issue).
import type { Subcommand } from './types.js';

export const checkCommand: Subcommand = {
  name: 'check',
  summary: 'shape-check PyTorch model files (gcc-style output, --json)',
  async run(_args) {
    console.error('tensor-studio check: not built yet');
    return 2;
  },
};
