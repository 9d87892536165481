// VS Code theme colours for what a panel draws on a canvas (CSS uses the variables directly).
// Read again whenever VS Code switches theme: it changes the body's class and the variables.

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export interface Palette {
  readonly kind: ThemeKind;
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly edge: string;
  readonly label: string;
  readonly nodeFill: string;
  readonly nodeBorder: string;
  readonly group: string;
  readonly groupAlt: string;
  readonly groupBorder: string;
  readonly focus: string;
  readonly highlight: string;
  /** Opacity of the category colour over a node's fill. */
  readonly tint: number;
  category(name: string): string;
}

/** Category → theme colour variable (VS Code's chart colours exist in every theme). */
export const CATEGORY_COLORS: Readonly<Record<string, readonly [string, string]>> = {
  layer: ['--vscode-charts-blue', '#3794ff'],
  activation: ['--vscode-charts-orange', '#d18616'],
  norm: ['--vscode-charts-green', '#89d185'],
  pool: ['--vscode-terminal-ansiCyan', '#11a8cd'],
  shape: ['--vscode-charts-yellow', '#cca700'],
  dropout: ['--vscode-disabledForeground', '#8b8b8b'],
  op: ['--vscode-charts-foreground', '#a0a0a0'],
  container: ['--vscode-charts-purple', '#b180d7'],
  input: ['--vscode-textLink-foreground', '#3794ff'],
  output: ['--vscode-textLink-foreground', '#3794ff'],
  error: ['--vscode-errorForeground', '#f14c4c'],
};

export function readPalette(): Palette {
  const kind = themeKind();
  const hc = kind.startsWith('high-contrast');
  const background = cssVar('--vscode-editor-background', kind === 'light' ? '#ffffff' : '#1e1e1e');
  const foreground = cssVar('--vscode-editor-foreground', kind === 'light' ? '#333333' : '#cccccc');
  const border = hc ? cssVar('--vscode-contrastBorder', foreground) : cssVar('--vscode-panel-border', '#80808059');
  const colors = new Map(Object.entries(CATEGORY_COLORS).map(([k, [v, f]]) => [k, opaque(cssVar(v, f))]));
  return {
    kind, background, foreground,
    muted: cssVar('--vscode-descriptionForeground', '#8b8b8b'),
    edge: hc ? foreground : cssVar('--vscode-editorLineNumber-foreground', '#858585'),
    label: cssVar('--vscode-descriptionForeground', '#8b8b8b'),
    nodeFill: hc ? background : cssVar('--vscode-editorWidget-background', kind === 'light' ? '#f3f3f3' : '#252526'),
    nodeBorder: border,
    group: cssVar('--vscode-sideBar-background', kind === 'light' ? '#f3f3f3' : '#252526'),
    groupAlt: background,
    groupBorder: border,
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
    highlight: cssVar('--vscode-editorWarning-foreground', '#cca700'),
    tint: hc ? 0 : kind === 'light' ? 0.14 : 0.22,
    category: (name) => colors.get(name) ?? colors.get('op')!,
  };
}

/** Calls `onChange` when VS Code switches theme. */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** Colours for runs in a chart, in every theme (VS Code's chart and terminal colours). */
const SERIES_COLORS: readonly (readonly [string, string])[] = [
  ['--vscode-charts-blue', '#3794ff'], ['--vscode-charts-orange', '#d18616'], ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'], ['--vscode-charts-red', '#f14c4c'], ['--vscode-charts-yellow', '#cca700'],
  ['--vscode-terminal-ansiCyan', '#11a8cd'], ['--vscode-terminal-ansiMagenta', '#bc3fbc'],
];

/**
 * Opaque, whatever the theme says: some themes give a chart colour an alpha (Dark Modern's
 * charts.orange follows the minimap's find-match colour), which makes a line vanish on the background.
 */
export function opaque(color: string): string {
  const hex = /^#([0-9a-f]{6})[0-9a-f]{2}$/i.exec(color);
  if (hex) return `#${hex[1]}`;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])[0-9a-f]$/i.exec(color);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`;
  const rgba = /^rgba\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i.exec(color);
  return rgba ? `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})` : color;
}

export function seriesColors(): string[] {
  return SERIES_COLORS.map(([v, f]) => opaque(cssVar(v, f)));
}
