// `tensor-studio` command line: one file per subcommand under cli/, registered in this list.
import { checkCommand } from './cli/check.js';
import { predictCommand } from './cli/predict.js';
import { trainCommand } from './cli/train.js';
import type { Subcommand } from './cli/types.js';

const subcommands: readonly Subcommand[] = [checkCommand, trainCommand, predictCommand];

function usage(): string {
  const rows = subcommands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  return `Usage: tensor-studio <command> [options]\n\nCommands:\n${rows}\n\nRun 'tensor-studio <command> --help' for a command's options.`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    console.log(process.env.TENSOR_STUDIO_VERSION ?? '0.1.0');
    return 0;
  }
  const cmd = subcommands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`tensor-studio: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`tensor-studio: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
