// `npm run bench:webview`: the panels in Debian's headless Chromium on this machine's CPU, with
// the page the extension serves (test/helpers/webview_page.ts). The graph panel on a generated
// 5,000-node model (webview_graph.ts), the metrics panel on a million points and on ten runs
// overlaid (webview_metrics.ts), the profiler on a 1,000,000-event and a 600 MB trace
// (webview_profiler.ts). Prints a table and writes bench-webview-results.json. Name panels to run
// only those (`node --import tsx bench/webview_bench.ts profiler`): their results replace theirs in the file.
// No peer runs here: Netron, TensorBoard and W&B need a download, a Python TensorFlow install or a
// server that this offline machine does not have.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { launch } from '../test/helpers/webview_page.js';
import { graphBench, type BenchRow } from './webview_graph.js';
import { metricsBench } from './webview_metrics.js';
import { profilerBench } from './webview_profiler.js';

function print(title: string, rows: readonly BenchRow[]): void {
  console.log(`\n${title}`);
  console.log('case'.padEnd(46) + 'median ms'.padStart(10) + 'target'.padStart(9));
  for (const r of rows) {
    const verdict = r.target === null ? '    ' : r.ms < r.target ? 'ok  ' : 'SLOW';
    console.log(r.case.padEnd(46) + r.ms.toFixed(1).padStart(10) + (r.target === null ? '—' : `< ${r.target}`).padStart(9) + `  ${verdict} ${r.note}`);
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const run = (name: string): boolean => only.length === 0 || only.includes(name);
  const results: Record<string, unknown> = only.length && existsSync('bench-webview-results.json')
    ? JSON.parse(readFileSync('bench-webview-results.json', 'utf8')) as Record<string, unknown> : {};
  const browser = await launch();
  try {
    if (run('graph')) {
      const graph = await graphBench(browser);
      print(`graph panel: ${graph.nodes} nodes`, graph.rows);
      results.graph = graph;
    }
    if (run('metrics')) {
      const metrics = await metricsBench(browser);
      print('metrics panel', metrics);
      results.metrics = metrics;
    }
    if (run('profiler')) {
      const profiler = await profilerBench(browser);
      print(`profiler panel: ${profiler.events.toLocaleString('en-US')}-event trace, and a 600 MB one`, profiler.rows);
      results.profiler = profiler;
    }
    writeFileSync('bench-webview-results.json', JSON.stringify(results, null, 2) + '\n');
    console.log('\nwrote bench-webview-results.json');
  } finally {
    await browser.close();
  }
}

void main().catch((e: unknown) => { console.error(e); process.exit(1); });
