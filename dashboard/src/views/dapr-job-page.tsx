import { api, query } from '../api.js';
import { useData } from '../hooks.js';
import { ErrorBox, Json, Loading, Page, Status, Table, Time, ms, type Column } from '../ui.js';
import type { DaprJob, Firing } from '../wire-types.js';


/** Since the occurrence fell due. For a first attempt that is its lateness; a retry waited for its retry interval too. */
const sinceDue = (f: Firing) => Date.parse(f.actual_time) - Date.parse(f.scheduled_time);

const FIRING_COLUMNS: Column<Firing>[] = [
  { label: 'Scheduled', cell: (f) => <Time value={f.scheduled_time} /> },
  { label: 'Actual', cell: (f) => <Time value={f.actual_time} /> },
  {
    label: 'Lateness',
    num: true,
    testId: 'lateness',
    cell: (f) => (f.attempt === 1 ? ms(sinceDue(f)) : <span class="muted">retry, {ms(sinceDue(f))} after due</span>),
  },
  { label: 'Attempt', num: true, cell: (f) => f.attempt },
  { label: 'Outcome', cell: (f) => <Status value={f.outcome} /> },
  { label: 'HTTP', num: true, cell: (f) => f.http_status ?? '—' },
  { label: 'Duration', num: true, cell: (f) => ms(f.duration_ms) },
  { label: 'Error', wrap: true, cell: (f) => f.error ?? '' },
];

/** One Dapr job: its definition, next/last run, data, and its firings as a timeline. */
export function DaprJobPage({ name }: { name: string }) {
  const relevant = (e: { job?: { name: string | null }; name?: string }) => e.job?.name === name || e.name === name;
  const job = useData(() => api.get<DaprJob>(`/v1.0/jobs/${encodeURIComponent(name)}`), [name], relevant);
  const history = useData(
    () => api.get<{ history: Firing[] }>(`/v1.0/jobs/${encodeURIComponent(name)}/history${query({ limit: 100 })}`),
    [name],
    relevant,
  );
  const j = job.data;
  return (
    <Page title={<>Job {name}</>}>
      <ErrorBox error={job.error ?? history.error} />
      {!j ? (
        <Loading />
      ) : (
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <Status value={j.status} />
          </dd>
          <dt>Schedule</dt>
          <dd>{j.schedule || '—'}</dd>
          <dt>Due time</dt>
          <dd>{j.dueTime ?? '—'}</dd>
          <dt>Repeats</dt>
          <dd>{j.repeats || '∞'}</dd>
          <dt>TTL</dt>
          <dd>{j.ttl ?? '—'}</dd>
          <dt>Next run</dt>
          <dd>
            <Time value={j.next_run_at} />
          </dd>
          <dt>Last run</dt>
          <dd>
            <Time value={j.last_run_at} />
          </dd>
          <dt>Fired</dt>
          <dd>{j.fire_count}</dd>
          <dt>Missed-fire policy</dt>
          <dd>{j.missedFirePolicy}</dd>
          <dt>Failure policy</dt>
          <dd>{j.failurePolicy ? JSON.stringify(j.failurePolicy) : 'server default'}</dd>
          <dt>Data</dt>
          <dd>
            <Json value={j.data} />
          </dd>
        </dl>
      )}
      <h2>Firings</h2>
      {history.data ? <Timeline firings={history.data.history} /> : <Loading />}
    </Page>
  );
}

/** Each firing as a dot: along time by its actual time, up by its lateness; then the table. */
function Timeline({ firings }: { firings: Firing[] }) {
  if (firings.length === 0) return <p class="muted">No firings yet.</p>;
  // Lateness is the engine's: first attempts only (a retry's wait is its failure policy's).
  const firsts = firings.filter((f) => f.attempt === 1);
  const times = firsts.map((f) => Date.parse(f.actual_time));
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  const maxLate = Math.max(1, ...firsts.map(sinceDue));
  const W = 600;
  const H = 90;
  return (
    <>
      <figure class="chart">
        <figcaption>
          Lateness of each firing (first attempts) <span class="muted small">(up to {ms(maxLate)})</span>
        </figcaption>
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${firsts.length} firings`}>
          <line x1={10} y1={H - 10} x2={W - 10} y2={H - 10} class="axis" />
          {firsts.map((f, i) => (
            <circle
              key={f.id}
              cx={10 + ((W - 20) * (times[i]! - start)) / span}
              cy={H - 10 - ((H - 25) * Math.max(0, sinceDue(f))) / maxLate}
              r={3.5}
              class={`dot dot-${f.outcome}`}
            >
              <title>
                {f.actual_time}: {f.outcome}, late {sinceDue(f)} ms
              </title>
            </circle>
          ))}
        </svg>
      </figure>
      <Table class="timeline" rows={firings} rowKey={(f) => f.id} columns={FIRING_COLUMNS} />
    </>
  );
}
