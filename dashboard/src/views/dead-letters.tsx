import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate, useData, useRoute } from '../hooks.js';
import { Action, ErrorBox, Json, Loading, Page, Status, Table, Time, ms, type Column } from '../ui.js';
import type { Firing } from '../wire-types.js';

interface DeadLetter {
  id: string;
  job_name: string;
  status: string;
  scheduled_time: string;
  attempts: number;
  data: unknown;
  error: { message: string; type: string } | null;
  failed_at: string | null;
}


const ATTEMPT_COLUMNS: Column<Firing>[] = [
  { label: 'Attempt', num: true, cell: (a) => a.attempt },
  { label: 'At', cell: (a) => <Time value={a.actual_time} /> },
  { label: 'Outcome', cell: (a) => <Status value={a.outcome} /> },
  { label: 'HTTP', num: true, cell: (a) => a.http_status ?? '—' },
  { label: 'Duration', num: true, cell: (a) => ms(a.duration_ms) },
  { label: 'Error', wrap: true, cell: (a) => a.error ?? '' },
];

function DeadLetterActions({ letter: d, canWrite, done }: { letter: DeadLetter; canWrite: boolean; done: () => void }) {
  return (
    <>
      <a class="button" href={`#/dead-letters/${d.id}`}>
        Inspect
      </a>
      {canWrite ? (
        <>
          <Action label="Retry" run={() => api.post(`/api/v1/dead-letters/${d.id}/retry`)} done={done} />
          <Action label="Delete" kind="danger" confirm={`Delete this dead letter of ${d.job_name}?`} run={() => api.del(`/api/v1/dead-letters/${d.id}`)} done={done} />
        </>
      ) : null}
    </>
  );
}

const relevant = (e: { type: string }) => e.type === 'job.dead_lettered' || e.type === 'job.requeued';

export function DeadLettersView({ canWrite }: { canWrite: boolean }) {
  const { params } = useRoute();
  const jobName = params.get('job_name') ?? '';
  const [draft, setDraft] = useState(jobName);
  const { data, error, reload } = useData(
    () => api.get<{ items: DeadLetter[]; total: number }>(`/api/v1/dead-letters${query({ job_name: jobName, limit: 100 })}`),
    [jobName],
    relevant,
  );
  const [retried, setRetried] = useState<number | null>(null);
  return (
    <Page
      title="Dead letters"
      actions={
        canWrite && data && data.total > 0 ? (
          <Action
            label={jobName ? `Retry all of ${jobName}` : 'Retry all'}
            confirm={`Deliver ${data.total} dead letters again?`}
            run={async () => setRetried((await api.post<{ retried: number }>('/api/v1/dead-letters/retry', jobName ? { job_name: jobName } : null)).retried)}
            done={reload}
          />
        ) : null
      }
    >
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/dead-letters${query({ job_name: draft })}`);
        }}
      >
        <label>
          Job name <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {retried !== null ? <p role="status">{retried} sent again.</p> : null}
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : data.items.length === 0 ? (
        <p class="muted">No dead letters.</p>
      ) : (
        <Table
          rows={data.items}
          rowKey={(d) => d.id}
          rowProps={(d) => ({ 'data-dead-letter': d.job_name })}
          columns={[
            { label: 'Job', cell: (d) => <a href={`#/jobs/${encodeURIComponent(d.job_name)}`}>{d.job_name}</a> },
            { label: 'Scheduled', cell: (d) => <Time value={d.scheduled_time} /> },
            { label: 'Failed', cell: (d) => <Time value={d.failed_at} /> },
            { label: 'Attempts', num: true, cell: (d) => d.attempts },
            { label: 'Last error', wrap: true, cell: (d) => d.error?.message ?? '' },
            { label: 'Actions', class: 'row-actions', cell: (d) => <DeadLetterActions letter={d} canWrite={canWrite} done={reload} /> },
          ]}
        />
      )}
    </Page>
  );
}

export function DeadLetterPage({ id, canWrite }: { id: string; canWrite: boolean }) {
  const { data, error } = useData(() => api.get<DeadLetter & { attempts: Firing[] }>(`/api/v1/dead-letters/${encodeURIComponent(id)}`), [id]);
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <Page
      title={<>Dead letter of {data.job_name}</>}
      actions={
        canWrite ? (
          <>
            <Action label="Retry" run={() => api.post(`/api/v1/dead-letters/${id}/retry`)} done={() => navigate('/dead-letters')} />
            <Action label="Delete" kind="danger" confirm="Delete this dead letter?" run={() => api.del(`/api/v1/dead-letters/${id}`)} done={() => navigate('/dead-letters')} />
          </>
        ) : null
      }
    >
      <dl class="facts">
        <dt>Scheduled</dt>
        <dd>
          <Time value={data.scheduled_time} />
        </dd>
        <dt>Data</dt>
        <dd>
          <Json value={data.data} />
        </dd>
      </dl>
      <h2>Failed attempts</h2>
      <Table rows={data.attempts} rowKey={(a) => a.id} columns={ATTEMPT_COLUMNS} />
    </Page>
  );
}
