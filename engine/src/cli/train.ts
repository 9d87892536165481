// `tensor-studio train CONFIG [--out DIR] [--resume DIR] [--max-steps N] [--profile] [--profile-steps N]`
import { loadRunConfig, ConfigError } from '../train/config.js';
import { train, TrainError } from '../train/trainer.js';
import { loadModelFile } from '../train/model_factory.js';
import type { Subcommand } from './types.js';

const HELP = `Usage: tensor-studio train CONFIG.json [options]

Trains the model file named in the run config (schema: dist/schema/run-config.schema.json) on the
embedded engine. Writes DIR/metrics.jsonl, DIR/checkpoint-<step>.safetensors (+ .optim.safetensors),
DIR/model.safetensors (PyTorch state_dict names), DIR/config.json (the config, paths made absolute),
DIR/run.json and DIR/summary.json (running / completed / stopped / failed: the Runs view reads it).
Ctrl-C stops after the step under way with a checkpoint (resume with --resume DIR); twice quits.

Options:
  --out DIR        output folder (default: the config's output_dir; with --resume, that folder)
  --resume DIR     continue from the latest checkpoint in DIR, exactly as if never stopped
  --max-steps N    stop after N optimizer steps in total
  --profile        write DIR/trace.json (Chrome Trace Event format: chrome://tracing, Perfetto) for
                   a few steps: every op with its module path and source line, step phases (data,
                   forward, backward, optimizer) and, on WebGPU, every GPU kernel's time
  --profile-steps N  how many steps to profile (implies --profile; default: the config's
                   profile.steps, else 5), starting after the config's profile.start (default 5)
  -h, --help       this text`;

export const trainCommand: Subcommand = {
  name: 'train',
  summary: 'train a model file on the embedded engine from a run config (JSON)',
  async run(args) {
    let config: string | undefined;
    const opts: { out?: string; resume?: string; maxSteps?: number } = {};
    let profile = false;
    let profileSteps: number | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-h' || a === '--help') { console.log(HELP); return 0; }
      const eq = a.indexOf('=');
      const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
      const take = () => {
        const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
        if (v === undefined || v.startsWith('--')) throw new TrainError(`option ${name} needs a value`);
        return v;
      };
      if (name === '--out') opts.out = take();
      else if (name === '--resume') opts.resume = take();
      else if (name === '--max-steps') {
        const v = take();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) { console.error(`tensor-studio train: --max-steps must be a positive integer (got '${v}')`); return 2; }
        opts.maxSteps = n;
      } else if (a === '--profile') profile = true;
      else if (name === '--profile-steps') {
        const v = take();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) { console.error(`tensor-studio train: --profile-steps must be a positive integer (got '${v}')`); return 2; }
        profileSteps = n;
      } else if (a.startsWith('-')) { console.error(`tensor-studio train: unknown option '${a}'\n\n${HELP}`); return 2; }
      else if (config) { console.error(`tensor-studio train: one config file expected, got '${config}' and '${a}'`); return 2; }
      else config = a;
    }
    if (!config) { console.error(`tensor-studio train: missing CONFIG.json\n\n${HELP}`); return 2; }
    try {
      const cfg = loadRunConfig(config);
      const prof = profile || profileSteps !== undefined
        ? { start: cfg.profile?.start ?? 5, steps: profileSteps ?? cfg.profile?.steps ?? 5 }
        : undefined;
      // Ctrl-C stops like the editor's Stop: after the step under way, with a checkpoint to resume
      // from and summary.json saying 'stopped'. A second Ctrl-C quits at once.
      const stop = new AbortController();
      const onInt = () => {
        if (stop.signal.aborted) process.exit(130);
        stop.abort('Ctrl-C');
        console.error('\ntensor-studio train: stopping after this step (a checkpoint is written); Ctrl-C again to quit now');
      };
      process.on('SIGINT', onInt);
      let r;
      try { r = await train(cfg, { ...opts, profile: prof, buildModel: loadModelFile, signal: stop.signal }); } finally { process.off('SIGINT', onInt); }
      if (r.status === 'stopped') return 130;
      if (r.val?.accuracy !== undefined) console.log(`final validation accuracy: ${(100 * r.val.accuracy).toFixed(2)}%`);
      return 0;
    } catch (e) {
      // User-facing failures (config, data, model, op errors) print their message; a bug in the
      // engine itself (TypeError and friends) keeps its stack so it can be reported.
      if (e instanceof Error && !(e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError || e instanceof SyntaxError)) {
        console.error(e.message.split('\n').map((l) => `tensor-studio train: ${l}`).join('\n'));
        return e instanceof ConfigError ? 2 : 1;
      }
      throw e;
    }
  },
};
