import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate, useData, useRoute } from '../hooks.js';
import { ErrorBox, Loading, Page, Status, Time } from '../ui.js';

export interface PlatformJob {
  id: string;
  task_name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  queue_name: string;
  priority: string;
  status: string;
  scheduled_at: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  result: unknown;
  error: { message: string; type: string; traceback: string | null } | null;
  retry_count: number;
  max_retries: number;
  tags: string[];
  worker_id: string | null;
  duration: number | null;
  schedule_id: string | null;
  version: string | null;
}

interface JobPage {
  items: PlatformJob[];
  total: number;
  page: number;
  pages: number;
}

const FILTERS = ['queue_name', 'status', 'priority', 'tags', 'worker_id'] as const;
const STATUSES = ['pending', 'reserved', 'running', 'completed', 'failed', 'retrying', 'cancelled', 'timeout'];
const PAGE = 50;

/** Platform jobs (`/api/v1/jobs`): filter by queue, status, priority, tag and worker. */
export function PlatformJobsView({ canWrite }: { canWrite: boolean }) {
  const { params } = useRoute();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const page = Number(params.get('page') ?? '1');
  const { data, error } = useData(
    () => api.get<JobPage>(`/api/v1/jobs${query({ ...filters, limit: PAGE, offset: (page - 1) * PAGE })}`),
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
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>Job</th>
                  <th>Task</th>
                  <th>Queue</th>
                  <th>Priority</th>
                  <th>Status</th>
                  <th>Scheduled</th>
                  <th class="num">Retries</th>
                  <th>Worker</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((job) => (
                  <tr key={job.id}>
                    <td>
                      <a href={`#/platform/${job.id}`} class="mono">
                        {job.id.slice(-12)}
                      </a>
                    </td>
                    <td>{job.task_name}</td>
                    <td>{job.queue_name}</td>
                    <td>{job.priority}</td>
                    <td>
                      <Status value={job.status} />
                    </td>
                    <td>
                      <Time value={job.scheduled_at} />
                    </td>
                    <td class="num">
                      {job.retry_count}/{job.max_retries}
                    </td>
                    <td class="mono small">{job.worker_id ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <span class="muted">
              {data.total} jobs, page {data.page} of {Math.max(1, data.pages)}
            </span>
            {page > 1 ? <a href={`#/platform${query({ ...filters, page: page - 1 })}`}>Previous</a> : null}
            {page < data.pages ? <a href={`#/platform${query({ ...filters, page: page + 1 })}`}>Next</a> : null}
          </nav>
        </>
      )}
    </Page>
  );
}
