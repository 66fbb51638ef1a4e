import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useData } from '../hooks.js';
import { Action, ErrorBox, Loading, Page, Status, Table } from '../ui.js';
import type { Queue } from '../wire-types.js';


const path = (name: string) => `/api/v1/queues/${encodeURIComponent(name)}`;

export function QueuesView({ canAdmin }: { canAdmin: boolean }) {
  const { data, error, reload } = useData(
    () => api.get<{ items: Queue[] }>('/api/v1/queues'),
    [],
    (e) => e.type === 'queue.changed' || Boolean(e.job?.task_name),
  );
  return (
    <Page title="Queues">
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <Table
          rows={data.items}
          rowKey={(q) => q.name}
          rowProps={(q) => ({ 'data-queue': q.name })}
          columns={[
            { label: 'Queue', cell: (q) => <a href={`#/platform?queue_name=${encodeURIComponent(q.name)}`}>{q.name}</a> },
            { label: 'State', cell: (q) => <Status value={q.is_paused ? 'paused' : 'active'} /> },
            { label: 'Waiting', num: true, cell: (q) => q.size },
            { label: 'Running', num: true, cell: (q) => q.running },
            { label: 'Concurrency', cell: (q) => (canAdmin ? <Concurrency queue={q} done={reload} /> : (q.concurrency ?? 'no limit')) },
            canAdmin && { label: 'Actions', class: 'row-actions', cell: (q) => <QueueActions queue={q} done={reload} /> },
          ]}
        />
      )}
    </Page>
  );
}

function QueueActions({ queue: q, done }: { queue: Queue; done: () => void }) {
  return (
    <>
      {q.is_paused ? (
        <Action label="Resume" run={() => api.post(`${path(q.name)}/resume`)} done={done} />
      ) : (
        <Action label="Pause" run={() => api.post(`${path(q.name)}/pause`)} done={done} />
      )}
      <Action
        label="Clear"
        kind="danger"
        confirm={`Remove the ${q.size} waiting jobs of queue ${q.name}? This cannot be undone.`}
        run={() => api.post(`${path(q.name)}/clear`)}
        done={done}
      />
    </>
  );
}

function Concurrency({ queue, done }: { queue: Queue; done: () => void }) {
  const [value, setValue] = useState(queue.concurrency === null ? '' : String(queue.concurrency));
  return (
    <span class="inline-form">
      <input
        type="number"
        min="1"
        placeholder="no limit"
        aria-label={`Concurrency of ${queue.name}`}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <Action label="Set" run={() => api.put(path(queue.name), { concurrency: value === '' ? null : Number(value) })} done={done} />
    </span>
  );
}
