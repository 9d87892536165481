// Training from inside VS Code (code-server's extension host, the real extension, real engine
// hosts): the Train lens and its config picker, a CPU run to the end, Stop and Resume, the
// new-config quick picks, the Runs view, and bad input (config, shape, data, a killed host).
/* global describe, it, before, after */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const vscode = require('vscode');
const { FASHION, eventually, requireFashion, root, sleep, stub } = require('./helpers');



/** A run config for the example model on Fashion-MNIST, on the CPU. */
function fashionConfig(modelFile, over = {}) {
  return {
    name: 'FashionCNN',
    model: { file: modelFile, class: 'FashionCNN' },
    data: {
      train: { format: 'idx', images: `${FASHION}/train-images-idx3-ubyte.gz`, labels: `${FASHION}/train-labels-idx1-ubyte.gz` },
      val: { format: 'idx', images: `${FASHION}/t10k-images-idx3-ubyte.gz`, labels: `${FASHION}/t10k-labels-idx1-ubyte.gz`, limit: 500 },
      batch_size: 32, normalize: { scale: 0.00392156862745098, mean: 0.286, std: 0.353 }, input_shape: [1, 28, 28],
    },
    loss: { name: 'cross_entropy' }, optimizer: { name: 'adam', lr: 0.0015 },
    epochs: 1, seed: 0, device: 'cpu', log_every: 5, checkpoint_every: 100, metrics: ['accuracy'],
    ...over,
  };
}

function writeJson(rel, value) {
  const p = path.join(root(), rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, JSON.stringify(value, null, 2) + '\n');
  return vscode.Uri.file(p);
}


function messagesSpy() {
  const seen = [];
  const restore = stub(Object.fromEntries(['showInformationMessage', 'showWarningMessage', 'showErrorMessage'].map((k) => {
    const f = vscode.window[k];
    return [k, (msg, ...rest) => { seen.push(msg); return f.call(vscode.window, msg, ...rest); }];
  })));
  return { seen, restore };
}

/** Engine-host processes started by this extension host. */
function ourHosts() {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('engine-host.js')).map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === process.pid).map(([pid]) => pid);
}

describe('Training from VS Code', function () {
  this.timeout(180_000);
  let api;
  const events = [];
  let sub;

  /** Resolves with the run's 'finished' event at or after events[from] (already seen, or when it comes). */
  async function finished(runId, from = 0, ms = 150_000) {
    const end = Date.now() + ms;
    for (;;) {
      const ev = events.slice(from).find((e) => e.type === 'finished' && e.runId === runId);
      if (ev) return ev;
      if (Date.now() > end) throw new Error(`${runId} did not finish within ${ms / 1000} s`);
      await sleep(100);
    }
  }
  async function firstProgress(runId, step = 1) {
    for (let i = 0; i < 1200; i++) {
      if (events.some((e) => e.runId === runId && ((e.type === 'progress' && e.step >= step) || e.type === 'finished'))) return;
      await sleep(50);
    }
    throw new Error(`no progress from ${runId}`);
  }

  before(async function () {
    requireFashion(this);
    api = await vscode.extensions.getExtension('tensor-studio.tensor-studio').activate();
    assert.equal(await api.serverReady, true);
    sub = api.training.onDidRunEvent((e) => events.push(e));
    writeJson('fashion/quick.tsrun.json', fashionConfig('model.py', { max_steps: 30 }));
    writeJson('fashion/long/long.tsrun.json', fashionConfig('../model.py', { max_steps: 300 }));
  });
  after(() => sub?.dispose());

  it('the Train lens picks a config, trains on the CPU, and the Runs view lists the run with its files', async () => {
    const model = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'fashion', 'model.py');
    const doc = await vscode.workspace.openTextDocument(model);
    await vscode.window.showTextDocument(doc);
    let lenses = [];
    for (let i = 0; i < 120 && !lenses.some((l) => l.command?.title === 'Train'); i++) {
      lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', model, 100);
      await sleep(250);
    }
    const train = lenses.find((l) => l.command?.title === 'Train');
    assert.ok(train, 'a Train lens');
    let offered;
    const restore = stub({ showQuickPick: async (items) => { offered = (await items).map((i) => i.label); return (await items).find((i) => /quick\.tsrun\.json/.test(i.label)); } });
    let r;
    try { r = await vscode.commands.executeCommand(train.command.command, ...train.command.arguments); } finally { restore(); }
    assert.equal(r.started, true, r.message);
    assert.deepEqual(offered.map((l) => l.replace(/^\$\([\w-]+\) /, '')), ['fashion/quick.tsrun.json', 'fashion/train.json', 'New run config…']);
    assert.equal(path.dirname(r.runDir), path.join(root(), 'runs'));
    assert.match(path.basename(r.runDir), /^\d{8}-\d{6}-FashionCNN$/);
    const done = await finished(r.runId);
    assert.equal(done.summary.status, 'completed', JSON.stringify(done.summary.error));
    assert.equal(done.summary.step, 30);
    const mine = events.filter((e) => e.runId === r.runId);
    assert.ok(mine.some((e) => e.type === 'progress'), 'progress arrived');
    // The metric store holds every point of metrics.jsonl.
    const onDisk = fs.readFileSync(path.join(r.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const losses = onDisk.filter((p) => p.name === 'train/loss').map((p) => p.value);
    assert.deepEqual(api.training.store.series(r.runId, 'train/loss').value, losses);
    const log = fs.readFileSync(path.join(r.runDir, 'host.log'), 'utf8');
    assert.match(log, /^done: 30 steps/m);
    console.log(`    [measure] Run Training (lens) -> first step: ${api.training.firstStepMs.get(r.runId)} ms`);

    // The Runs view: newest first, with status and files.
    api.runsView.refresh();
    const rows = api.runsView.getChildren();
    assert.equal(rows[0].run.dir, r.runDir);
    const item = api.runsView.getTreeItem(rows[0]);
    assert.equal(item.label, 'FashionCNN');
    assert.match(item.description, /^completed · loss \d\.\d{4} · acc \d+\.\d% · cpu · /);
    assert.equal(item.contextValue, 'run.completed.metrics');
    const files = api.runsView.getChildren(rows[0]).map((n) => n.name);
    for (const f of ['config.json', 'host.log', 'metrics.jsonl', 'model.safetensors', 'summary.json']) assert.ok(files.includes(f), `${f} in ${files}`);
    // "Open metrics" on the finished run: the metrics panel ticks it and gets every point on disk.
    const panel = await vscode.commands.executeCommand('tensorStudio.runs.openMetrics', rows[0]);
    assert.equal(api.metricsPanel(), panel);
    await eventually(`all ${onDisk.length} points of the finished run in the panel`, () => panel.posted.get(r.runId) === onDisk.length);

    // The next click on the lens trains with the same config: no picker. Show Metrics while it
    // trains: its points reach the panel as they come (the panel ticks the run it is shown for).
    const again = stub({ showQuickPick: async () => { throw new Error('the remembered config should be used'); } });
    let r2;
    try { r2 = await vscode.commands.executeCommand(train.command.command, ...train.command.arguments); } finally { again(); }
    assert.equal(r2.started, true);
    await firstProgress(r2.runId);
    assert.equal(await vscode.commands.executeCommand('tensorStudio.showMetrics', r2.runDir), panel, 'one panel');
    const live = await eventually('live points in the panel while the run trains', () => {
      const n = panel.posted.get(r2.runId) ?? 0;
      return n > 0 && api.training.activeRuns().some((a) => a.runId === r2.runId) ? n : undefined;
    });
    assert.equal((await finished(r2.runId)).summary.status, 'completed');
    // Nothing dropped on the way: the panel got every point the run wrote, and still has the first run.
    const onDisk2 = fs.readFileSync(path.join(r2.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    await eventually('every point of the second run in the panel', () => panel.posted.get(r2.runId) === onDisk2);
    assert.ok(live < onDisk2, `points arrived while training (${live} of ${onDisk2})`);
    assert.equal(panel.posted.get(r.runId), onDisk.length);
    panel.dispose();
  });

  it('the example itself (fashion/train.json, device auto) from its config: time to the first step', async () => {
    const r = await vscode.commands.executeCommand('tensorStudio.runTraining', vscode.Uri.file(path.join(root(), 'fashion', 'train.json')));
    assert.equal(r.started, true, r.message);
    await firstProgress(r.runId);
    await vscode.commands.executeCommand('tensorStudio.stopTraining', r.runDir);
    assert.equal((await finished(r.runId)).summary.status, 'stopped');
    console.log(`    [measure] Run Training (examples/fashion/train.json) -> first step: ${api.training.firstStepMs.get(r.runId)} ms`);
  });

  it('Stop Training stops after the current step with a checkpoint; Resume Training completes the run', async () => {
    const r = await vscode.commands.executeCommand('tensorStudio.runTraining', vscode.Uri.file(path.join(root(), 'fashion/long/long.tsrun.json')));
    assert.equal(r.started, true, r.message);
    await firstProgress(r.runId, 3);
    const stop = await vscode.commands.executeCommand('tensorStudio.stopTraining');
    assert.equal(stop.stopped, true);
    const s = (await finished(r.runId)).summary;
    assert.equal(s.status, 'stopped');
    assert.ok(s.step > 0 && s.step < 300, `stopped at ${s.step}`);
    assert.ok(fs.existsSync(path.join(r.runDir, `checkpoint-${s.step}.safetensors`)));
    api.runsView.refresh();
    const row = api.runsView.getChildren().find((n) => n.run.dir === r.runDir);
    assert.equal(api.runsView.getTreeItem(row).contextValue, 'run.stopped.metrics');

    const from = events.length;
    const resumed = await vscode.commands.executeCommand('tensorStudio.resumeTraining', row);
    assert.equal(resumed.started, true, resumed.message);
    assert.equal(resumed.runDir, r.runDir, 'the same run folder');
    const done = (await finished(r.runId, from)).summary;
    assert.equal(done.status, 'completed');
    assert.equal(done.step, 300);
    assert.deepEqual(done.resumedFrom, [s.step]);
    const steps = fs.readFileSync(path.join(r.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((p) => p.name === 'train/loss').map((p) => p.step);
    assert.deepEqual(steps, Array.from({ length: 60 }, (_, i) => 5 * (i + 1)), 'one loss point per log step, none twice');
  });
  it('New run config: the quick picks write a *.tsrun.json next to the model, with the input shape from the analysis', async () => {
    const dir = path.join(root(), 'wizard');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(root(), 'fashion', 'model.py'), path.join(dir, 'model.py'));
    const model = vscode.Uri.file(path.join(dir, 'model.py'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(model));
    const asked = [];
    const restore = stub({
      showQuickPick: async (items, opts) => {
        const list = await items;
        asked.push(opts.placeHolder);
        const want = { 'Training data': /Fashion-MNIST/, Optimizer: /^adam$/, Device: /^cpu/, Mode: /^eager/ }[opts.placeHolder];
        assert.ok(want, `unexpected picker ${opts.placeHolder}`);
        return list.find((i) => want.test(i.label.replace(/^\$\([\w-]+\) /, '')));
      },
      showInputBox: async (opts) => { asked.push(opts.prompt); return /Batch/.test(opts.prompt) ? '32' : opts.value; },
    });
    let r;
    try { r = await vscode.commands.executeCommand('tensorStudio.runTraining', model, 'FashionCNN'); } finally { restore(); }
    assert.equal(r.started, true, r.message);
    assert.deepEqual(asked, ['Training data', 'Epochs (passes over the training data)', 'Batch size', 'Optimizer', 'Learning rate for adam', 'Device', 'Mode']);
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'model.tsrun.json'), 'utf8'));
    assert.deepEqual(written.model, { file: 'model.py', class: 'FashionCNN' });
    assert.deepEqual(written.data.input_shape, [1, 28, 28], 'from the model\'s example input [64, 1, 28, 28]');
    assert.equal(written.data.batch_size, 32);
    assert.deepEqual(written.optimizer, { name: 'adam', lr: 0.001 });
    assert.equal(written.epochs, 1);
    assert.equal(written.device, 'cpu');
    assert.equal(written.mode, 'eager');
    await firstProgress(r.runId);
    await vscode.commands.executeCommand('tensorStudio.stopTraining', r.runDir);
    assert.equal((await finished(r.runId)).summary.status, 'stopped');
  });

  it('a config error is a diagnostic on its field, and the run is refused with no run folder', async () => {
    const bad = writeJson('fashion/long/bad.tsrun.json', fashionConfig('../model.py', { optimizer: { name: 'adam', lr: -1 } }));
    const spy = messagesSpy();
    let r;
    try {
      r = await vscode.commands.executeCommand('tensorStudio.runTraining', bad);
      assert.equal(r.started, true, 'the host took it, then refused it');
      const done = await finished(r.runId);
      assert.equal(done.summary.error.kind, 'config');
      for (let i = 0; i < 100 && !spy.seen.some((m) => /bad\.tsrun\.json/.test(m)); i++) await sleep(50);
    } finally { spy.restore(); }
    assert.ok(spy.seen.includes('Tensor Studio: bad.tsrun.json has a problem; the run was not started: optimizer.lr must be a positive number (got -1)'), JSON.stringify(spy.seen));
    const diags = vscode.languages.getDiagnostics(bad);
    assert.equal(diags.length >= 1, true);
    const ours = diags.find((d) => d.source === 'Tensor Studio');
    const doc = await vscode.workspace.openTextDocument(bad);
    assert.match(doc.lineAt(ours.range.start.line).text, /"lr": -1/);
    assert.ok(!fs.existsSync(r.runDir), 'no run folder');
  });

  it('a shape error refuses the run with its line; a missing data file is named', async () => {
    const src = fs.readFileSync(path.join(root(), 'fashion', 'model.py'), 'utf8').replace('nn.Linear(32 * 5 * 5, 128)', 'nn.Linear(32 * 4 * 4, 128)');
    fs.mkdirSync(path.join(root(), 'broken'), { recursive: true });
    fs.writeFileSync(path.join(root(), 'broken', 'model.py'), src);
    const line = src.split('\n').findIndex((l) => l.includes('self.fc1(x)')) + 1;
    const shape = writeJson('broken/shape.tsrun.json', fashionConfig('model.py'));
    const data = writeJson('broken/data.tsrun.json', fashionConfig('../fashion/model.py', {
      data: { ...fashionConfig('').data, train: { format: 'idx', images: '/nonexistent/images.gz', labels: `${FASHION}/train-labels-idx1-ubyte.gz` } },
    }));
    const spy = messagesSpy();
    try {
      const from = events.length;
      const a = await vscode.commands.executeCommand('tensorStudio.runTraining', shape);
      assert.equal((await finished(a.runId, from)).summary.error.kind, 'shape');
      const b = await vscode.commands.executeCommand('tensorStudio.runTraining', data);
      assert.equal((await finished(b.runId, from)).summary.error.kind, 'data');
      assert.notEqual(a.runId, b.runId, 'each run has its own id');
      for (let i = 0; i < 100 && spy.seen.length < 2; i++) await sleep(50);
      assert.ok(!fs.existsSync(a.runDir) && !fs.existsSync(b.runDir), 'no run folders');
    } finally { spy.restore(); }
    assert.ok(spy.seen.some((m) => new RegExp(`^Tensor Studio: FashionCNN has 1 shape error; the run was not started \\(model\\.py:${line}: .*800.*512|^Tensor Studio: FashionCNN has 1 shape error; the run was not started \\(model\\.py:${line}: .*512.*800`).test(m)), JSON.stringify(spy.seen));
    assert.ok(spy.seen.includes('Tensor Studio: FashionCNN was not trained: data.train.images: /nonexistent/images.gz does not exist'), JSON.stringify(spy.seen));
  });

  it('kill -9 of the engine host fails the run with the reason; VS Code carries on and the next run works; no host is left', async () => {
    const long = vscode.Uri.file(path.join(root(), 'fashion/long/long.tsrun.json'));
    const spy = messagesSpy();
    let r;
    try {
      r = await vscode.commands.executeCommand('tensorStudio.runTraining', long);
      await firstProgress(r.runId);
      process.kill(api.training.get(r.runId).host.pid, 'SIGKILL');
      const done = await finished(r.runId);
      assert.equal(done.summary.status, 'failed');
      assert.equal(done.summary.error.kind, 'crash');
      for (let i = 0; i < 100 && !spy.seen.some((m) => /failed/.test(m)); i++) await sleep(50);
    } finally { spy.restore(); }
    assert.ok(spy.seen.includes('Tensor Studio: training FashionCNN failed: the engine host ended unexpectedly (signal SIGKILL)'), JSON.stringify(spy.seen));
    assert.equal(JSON.parse(fs.readFileSync(path.join(r.runDir, 'summary.json'), 'utf8')).status, 'failed');
    const next = await vscode.commands.executeCommand('tensorStudio.runTraining', vscode.Uri.file(path.join(root(), 'fashion/quick.tsrun.json')));
    assert.equal((await finished(next.runId)).summary.status, 'completed');
    for (let i = 0; i < 100 && ourHosts().length; i++) await sleep(100);
    assert.deepEqual(ourHosts(), [], 'no engine host left running');
    assert.equal(vscode.extensions.getExtension('tensor-studio.tensor-studio').isActive, true);
  });
});
