import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate, useData, useRoute } from '../hooks.js';
import { ErrorBox, Loading, Page, Status, Table, Time, type Column } from '../ui.js';
import type { DaprJob, DaprJobList } from '../wire-types.js';


const PAGE = 50;

const columns: Column<DaprJob>[] = [
  { label: 'Name', cell: (job) => <a href={`#/jobs/${encodeURIComponent(job.name)}`}>{job.name}</a> },
  { label: 'Status', cell: (job) => <Status value={job.status} /> },
  { label: 'Schedule', cell: (job) => job.schedule || (job.dueTime ? `once at ${job.dueTime}` : '') },
  { label: 'Next run', cell: (job) => <Time value={job.next_run_at} /> },
  { label: 'Last run', cell: (job) => <Time value={job.last_run_at} /> },
  { label: 'Fired', num: true, cell: (job) => job.fire_count },
];

/** Dapr-style jobs: keyset paging on the name (stays fast at a million jobs), prefix and status search. */
export function DaprJobsView() {
  const { params } = useRoute();
  const prefix = params.get('prefix') ?? '';
  const status = params.get('status') ?? '';
  const cursor = params.get('cursor') ?? '';
  const { data, error } = useData(
    () => api.get<DaprJobList>(`/v1.0/jobs${query({ prefix, status, cursor, limit: PAGE })}`),
    [prefix, status, cursor],
    (e) => e.type === 'job.created' || e.type === 'schedule.changed' || e.type === 'job.fired',
  );
  const [draft, setDraft] = useState(prefix);
  const go = (next: Record<string, string>) => navigate(`/jobs${query({ prefix, status, ...next })}`);
  return (
    <Page title="Jobs (Dapr)">
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ prefix: draft, cursor: '' });
        }}
      >
        <label>
          Name starts with <input name="prefix" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => go({ status: e.currentTarget.value, cursor: '' })}>
            <option value="">any</option>
            {['scheduled', 'paused', 'completed', 'expired', 'failed'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <Table
            rows={data.jobs}
            rowKey={(job) => job.name}
            columns={columns}
          />
          {data.jobs.length === 0 ? <p class="muted">No jobs match.</p> : null}
          <nav class="pager" aria-label="Pages">
            {cursor ? <a href={`#/jobs${query({ prefix, status })}`}>First page</a> : null}
            {data.next_cursor ? <a href={`#/jobs${query({ prefix, status, cursor: data.next_cursor })}`}>Next page</a> : null}
          </nav>
        </>
      )}
    </Page>
  );
}
