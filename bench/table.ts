/**
 * Text formatting for the report: numbers and Markdown tables. Tables are
 * Markdown so a terminal run can be pasted into docs/benchmarks.md unchanged.
 */

export type Alignment = 'left' | 'right';

/** Thousands separators; `decimals` fixed; NaN becomes "n/a". */
export function formatNumber(value: number, decimals: number): string {
  if (Number.isNaN(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** "median (min–max)", or just the value when there was a single run. */
export function formatSpread(median: number, min: number, max: number, runs: number, decimals: number): string {
  if (runs <= 1 || Number.isNaN(median)) return formatNumber(median, decimals);
  return `${formatNumber(median, decimals)} (${formatNumber(min, decimals)}–${formatNumber(max, decimals)})`;
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], alignments?: readonly Alignment[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length), 3),
  );
  const align = (text: string, column: number): string =>
    alignments?.[column] === 'right' ? text.padStart(widths[column]) : text.padEnd(widths[column]);
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => align(cell, column)).join(' | ')} |`;
  const rule = `|${widths
    .map((width, column) => (alignments?.[column] === 'right' ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2)))
    .join('|')}|`;
  return [line(headers), rule, ...rows.map((row) => line(headers.map((_, column) => row[column] ?? '')))].join('\n');
}
