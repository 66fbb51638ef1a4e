/**
 * The harness's workload table (bench/report.ts): systems that do not take part in a workload
 * are named under the table, not printed as rows of n/a; a system that ran and failed stays.
 */
import { describe, expect, it } from 'vitest';
import type { WorkloadResult } from '../../bench/harness.js';
import { renderWorkloadTable } from '../../bench/report.js';

const result: WorkloadResult = {
  workload: 'http',
  number: 7,
  title: 'HTTP API under load',
  description: 'described',
  figures: [{ key: 'createRequestsPerSec', label: 'create req/s', better: 'higher', decimals: 0, headline: true, ratio: false }],
  runs: 1,
  systems: [
    { system: 'chime-sqlite', kind: 'chime', status: 'measured', runs: [{ run: 1, figures: { createRequestsPerSec: 8_473 }, seconds: 2 }] },
    { system: 'bullmq', kind: 'peer', status: 'not-supported', runs: [] },
    { system: 'chime-redis', kind: 'chime', status: 'measured', runs: [{ run: 1, error: 'refused', seconds: 1 }] },
    { system: 'pg-boss', kind: 'peer', status: 'not-supported', runs: [] },
    { system: 'graphile-worker', kind: 'peer', status: 'unavailable', runs: [] },
  ],
};

describe('renderWorkloadTable', () => {
  it('leaves out the systems not in the workload and names them under the table', () => {
    const table = renderWorkloadTable(result);
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| system'));
    expect(rows.map((row) => row.split('|')[1]!.trim())).toEqual(['chime-sqlite', 'chime-redis', 'graphile-worker']);
    expect(rows[0]).toContain('8,473');
    expect(rows[1]).toContain('error');
    expect(rows[2]).toContain('unavailable');
    expect(table).toContain('Not in this workload: bullmq, pg-boss.');
    expect(table).toContain('- chime-redis run 1: refused');
  });

  it('has no such line when every system takes part', () => {
    const table = renderWorkloadTable({ ...result, systems: result.systems.filter((entry) => entry.status !== 'not-supported') });
    expect(table).not.toContain('Not in this workload');
  });
});
