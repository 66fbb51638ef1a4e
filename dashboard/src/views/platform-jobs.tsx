import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate, useData, useRoute } from '../hooks.js';
import { ErrorBox, Loading, Page, Status, Table, Time, type Column } from '../ui.js';
import type { PlatformJob, PlatformJobList } from '../wire-types.js';

const FILTERS = ['queue_name', 'status', 'priority', 'tags', 'worker_id'] as const;
const STATUSES = ['pending', 'reserved', 'running', 'completed', 'failed', 'retrying', 'cancelled', 'timeout'];
const PAGE = 50;

const columns: Column<PlatformJob>[] = [
  {
    label: 'Job',
    cell: (job) => (
      <a href={`#/platform/${job.id}`} class="mono">
        {job.id.slice(-12)}
      </a>
    ),
  },
  { label: 'Task', cell: (job) => job.task_name },
  { label: 'Queue', cell: (job) => job.queue_name },
  { label: 'Priority', cell: (job) => job.priority },
  { label: 'Status', cell: (job) => <Status value={job.status} /> },
  { label: 'Scheduled', cell: (job) => <Time value={job.scheduled_at} /> },
  { label: 'Retries', num: true, cell: (job) => `${job.retry_count}/${job.max_retries}` },
  { label: 'Worker', class: 'mono small', cell: (job) => job.worker_id ?? '' },
];

/**
 * Platform jobs (`/api/v1/jobs`): filter by queue, status, priority, tag and worker. Pages by
 * cursor and never asks for the total: both cost a scan at a million jobs, on every refresh.
 */
export function PlatformJobsView({ canWrite }: { canWrite: boolean }) {
  const { params } = useRoute();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const cursor = params.get('cursor') ?? '';
  const { data, error } = useData(
    () => api.get<PlatformJobList>(`/api/v1/jobs${query({ ...filters, limit: PAGE, cursor, count: 'false' })}`),
    [params.toString()],
    (e) => Boolean(e.job?.task_name) || e.type === 'queue.changed',
  );
  const [draft, setDraft] = useState(filters);
  const apply = (next: Partial<typeof filters>) => navigate(`/platform${query({ ...filters, ...next })}`);
  return (
    <Page title="Platform jobs" actions={canWrite ? <a class="button primary" href="#/platform/new">New job</a> : null}>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label>
          Queue <input value={draft.queue_name} onInput={(e) => setDraft({ ...draft, queue_name: e.currentTarget.value })} />
        </label>
        <label>
          Status{' '}
          <select value={filters.status} onChange={(e) => apply({ ...draft, status: e.currentTarget.value })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Priority{' '}
          <select value={filters.priority} onChange={(e) => apply({ ...draft, priority: e.currentTarget.value })}>
            <option value="">any</option>
            {['critical', 'high', 'normal', 'low'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Tag <input value={draft.tags} onInput={(e) => setDraft({ ...draft, tags: e.currentTarget.value })} />
        </label>
        <label>
          Worker <input value={draft.worker_id} onInput={(e) => setDraft({ ...draft, worker_id: e.currentTarget.value })} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <Table rows={data.items} rowKey={(job) => job.id} columns={columns} />
          {data.items.length === 0 ? <p class="muted">No jobs match.</p> : null}
          <nav class="pager" aria-label="Pages">
            {cursor ? <a href={`#/platform${query(filters)}`}>First page</a> : null}
            {data.next_cursor ? <a href={`#/platform${query({ ...filters, cursor: data.next_cursor })}`}>Next page</a> : null}
          </nav>
        </>
      )}
    </Page>
  );
}
