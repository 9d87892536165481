// Which chart a metric goes on, and which colour a run gets. Pure (tested in Node).

/** 'train/loss' and 'val/loss' share the 'loss' chart; 'lr' and 'samples_per_sec' have their own. */
export function groupOf(name: string): string {
  const i = name.indexOf('/');
  return i < 0 ? name : name.slice(i + 1);
}

export function groupTitle(group: string): string {
  return group.replace(/_/g, ' ');
}

/**
 * A run keeps its colour while the list changes: the colour follows the run's position among the
 * runs sorted by id (run ids start with their start time), so a new run takes the next colour and
 * older runs keep theirs.
 */
export function runColorIndex(id: string, allIds: readonly string[], colors: number): number {
  const sorted = [...new Set(allIds)].sort();
  const i = sorted.indexOf(id);
  return (i < 0 ? sorted.length : i) % colors;
}
