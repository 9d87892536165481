// Which workspace file a trace's source location means. Traces name files as their writer saw
// them: ours by base name ('model.py'), PyTorch's stacks by the absolute path on the machine that
// profiled ('/home/user/proj/models/net.py'), maybe another machine. Pure, tested in Node.

const parts = (p: string): string[] => p.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');

/** Trailing path segments `a` and `b` share ('x/models/net.py' and 'y/models/net.py': 2). */
export function commonSuffix(a: string, b: string): number {
  const x = parts(a), y = parts(b);
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

/**
 * The candidate that ends with the most of `file`'s path (at least its base name); ties go to
 * the shortest path (the one nearest the workspace root). Undefined when none shares the name.
 */
export function bestSuffixMatch(file: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined, bestN = 0;
  for (const c of candidates) {
    const n = commonSuffix(file, c);
    if (n > bestN || (n === bestN && n > 0 && best !== undefined && parts(c).length < parts(best).length)) { best = c; bestN = n; }
  }
  return bestN > 0 ? best : undefined;
}
