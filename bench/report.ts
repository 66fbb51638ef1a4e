/**
 * Turns run outcomes into the printed report: one table per workload (median
 * and min–max of the runs) and a summary of the headline figures in which
 * every Chime system is shown as a ratio to the best peer.
 */
import type { SystemInfo, SystemWorkloadResult, WorkloadResult } from './harness.js';
import { spreadOf, type RunSpread } from './stats.js';
import { formatNumber, formatSpread, renderTable, type Alignment } from './table.js';
import type { FigureSpec } from './workloads/workload.js';

/** Median and range of one figure over a system's successful runs. */
export function figureSpread(entry: SystemWorkloadResult, key: string): RunSpread {
  return spreadOf(entry.runs.flatMap((outcome) => (outcome.figures ? [outcome.figures[key] ?? Number.NaN] : [])));
}

/** All figures of all systems of a workload, for the JSON result. */
export function spreadsOf(result: WorkloadResult): Record<string, Record<string, RunSpread>> {
  return Object.fromEntries(
    result.systems.map((entry) => [
      entry.system,
      Object.fromEntries(result.figures.map((figure) => [figure.key, figureSpread(entry, figure.key)])),
    ]),
  );
}

function cellFor(entry: SystemWorkloadResult, figure: FigureSpec): string {
  if (entry.status === 'unavailable') return 'unavailable';
  const spread = figureSpread(entry, figure.key);
  if (spread.runs === 0) {
    const triedAndFailed = entry.runs.length > 0 && entry.runs.every((outcome) => outcome.error);
    return triedAndFailed ? 'error' : 'n/a';
  }
  return formatSpread(spread.median, spread.min, spread.max, spread.runs, figure.decimals);
}

export function renderSystems(systems: readonly SystemInfo[]): string {
  return systems
    .map((system) => {
      const heading = `- **${system.name}** — ${system.product} ${system.version} (${system.kind})` +
        (system.unavailable ? ` — UNAVAILABLE: ${system.unavailable}` : '');
      const details = [`workloads: ${system.workloads.join(', ')}`, ...system.settings];
      return [heading, ...details.map((line) => `  - ${line}`)].join('\n');
    })
    .join('\n');
}

export function renderWorkloadTable(result: WorkloadResult): string {
  const errors = result.systems.flatMap((entry) =>
    entry.runs.filter((outcome) => outcome.error).map((outcome) => `- ${entry.system} run ${outcome.run}: ${outcome.error}`),
  );
  const headers = ['system', ...result.figures.map((figure) => figure.label)];
  const alignments: Alignment[] = ['left', ...result.figures.map((): Alignment => 'right')];
  // A system that does not take part would be a row of n/a: it is named below the table instead.
  const taking = result.systems.filter((entry) => entry.status !== 'not-supported');
  const notTaking = result.systems.filter((entry) => entry.status === 'not-supported').map((entry) => entry.system);
  const rows = taking.map((entry) => [entry.system, ...result.figures.map((figure) => cellFor(entry, figure))]);
  const runsNote = result.runs > 1 ? `${result.runs} runs per system; median (min–max).` : '1 run per system.';
  return [
    `### ${result.number}. ${result.title}`,
    '',
    result.description,
    '',
    runsNote,
    '',
    renderTable(headers, rows, alignments),
    ...(notTaking.length > 0 ? ['', `Not in this workload: ${notTaking.join(', ')}.`] : []),
    ...(errors.length > 0 ? ['', 'Errors:', ...errors] : []),
  ].join('\n');
}

export interface SummaryRow {
  readonly workload: string;
  readonly figure: string;
  readonly better: 'higher' | 'lower';
  readonly bestPeer?: { readonly system: string; readonly median: number };
  /** Per Chime system: its median and median ÷ best peer's median (NaN when not meaningful). */
  readonly chime: readonly { readonly system: string; readonly median: number; readonly ratio: number }[];
  readonly decimals: number;
}

function isBetter(candidate: number, incumbent: number, better: 'higher' | 'lower'): boolean {
  return better === 'higher' ? candidate > incumbent : candidate < incumbent;
}

/**
 * The ratio is Chime ÷ best peer, literally: above 1 is better for "higher"
 * figures (throughput), below 1 is better for "lower" ones (latency, bytes).
 * It is left out when either value is zero or negative, where a quotient
 * would mislead (a lateness p50 near zero, early-firing counts).
 */
export function buildSummary(results: readonly WorkloadResult[]): SummaryRow[] {
  return results.flatMap((result) =>
    result.figures
      .filter((figure) => figure.headline)
      .map((figure): SummaryRow => {
        let bestPeer: SummaryRow['bestPeer'];
        for (const entry of result.systems.filter((candidate) => candidate.kind === 'peer')) {
          const { median } = figureSpread(entry, figure.key);
          if (Number.isNaN(median)) continue;
          if (!bestPeer || isBetter(median, bestPeer.median, figure.better)) bestPeer = { system: entry.system, median };
        }
        const chime = result.systems
          .filter((entry) => entry.kind === 'chime')
          .map((entry) => {
            const { median } = figureSpread(entry, figure.key);
            const ratio =
              figure.ratio && bestPeer && bestPeer.median > 0 && median > 0 ? median / bestPeer.median : Number.NaN;
            return { system: entry.system, median, ratio };
          });
        return {
          workload: `${result.number}. ${result.workload}`,
          figure: figure.label,
          better: figure.better,
          bestPeer,
          chime,
          decimals: figure.decimals,
        };
      }),
  );
}

export function renderSummary(rows: readonly SummaryRow[]): string {
  const chimeSystems = [...new Set(rows.flatMap((row) => row.chime.map((entry) => entry.system)))];
  const chimeHeaders =
    chimeSystems.length > 0 ? chimeSystems.flatMap((system) => [system, `${system} ÷ best peer`]) : ['Chime', 'Chime ÷ best peer'];
  const headers = ['workload', 'figure', 'better', 'best peer', 'best peer value', ...chimeHeaders];
  const alignments: Alignment[] = ['left', 'left', 'left', 'left', ...headers.slice(4).map((): Alignment => 'right')];
  const tableRows = rows.map((row) => {
    const chimeCells =
      chimeSystems.length > 0
        ? chimeSystems.flatMap((system) => {
            const entry = row.chime.find((candidate) => candidate.system === system);
            if (!entry || Number.isNaN(entry.median)) return ['n/a', '–'];
            return [formatNumber(entry.median, row.decimals), Number.isNaN(entry.ratio) ? '–' : `${entry.ratio.toFixed(2)}×`];
          })
        : ['–', '–'];
    return [
      row.workload,
      row.figure,
      row.better,
      row.bestPeer?.system ?? 'n/a',
      row.bestPeer ? formatNumber(row.bestPeer.median, row.decimals) : 'n/a',
      ...chimeCells,
    ];
  });
  return [
    '### Summary: headline figures, Chime ÷ best peer',
    '',
    'Medians. The ratio is Chime ÷ the best peer: above 1× is better where "better" is higher, below 1× where it is lower; "–" where no Chime figure exists or a quotient would mislead.',
    '',
    renderTable(headers, tableRows, alignments),
  ].join('\n');
}
