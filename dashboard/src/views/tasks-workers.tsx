import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { useData } from '../hooks.js';
import { ErrorBox, Loading, Page, Status, Table, Time, type Column } from '../ui.js';
import type { TaskInfo, Worker } from '../wire-types.js';



const TASK_COLUMNS: Column<TaskInfo>[] = [
  { label: 'Task', cell: (t) => <a href={`#/platform?${new URLSearchParams({ queue_name: t.queue })}`}>{t.name}</a> },
  { label: 'Version', cell: (t) => t.version },
  { label: 'Queue', cell: (t) => t.queue },
  { label: 'Timeout', num: true, cell: (t) => `${t.timeout} s` },
  { label: 'Retries', num: true, cell: (t) => t.max_retries },
  { label: 'Description', wrap: true, cell: (t) => t.description },
];

const WORKER_COLUMNS: Column<Worker>[] = [
  { label: 'Worker', class: 'mono small', cell: (w) => w.id },
  { label: 'Status', cell: (w) => <Status value={w.status} /> },
  { label: 'Host / pid', cell: (w) => `${w.hostname} / ${w.pid}` },
  { label: 'Queues', cell: (w) => w.queues.join(', ') },
  { label: 'Concurrency', num: true, cell: (w) => w.concurrency },
  { label: 'Started', cell: (w) => <Time value={w.started_at} /> },
  { label: 'Last heartbeat', cell: (w) => <Time value={w.last_seen_at} /> },
];

export function TasksWorkersView() {
  const tasks = useData(() => api.get<{ items: TaskInfo[] }>('/api/v1/tasks'), []);
  // Heartbeats move every few seconds: reload on a timer rather than on events.
  const workers = useData(() => api.get<{ items: Worker[] }>('/api/v1/workers'), []);
  useEffect(() => {
    const timer = setInterval(workers.reload, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <Page title="Tasks and workers">
      <ErrorBox error={tasks.error ?? workers.error} />
      <h2>Registered tasks</h2>
      {!tasks.data ? (
        <Loading />
      ) : (
        <Table rows={tasks.data.items} rowKey={(t) => `${t.name}@${t.version}`} columns={TASK_COLUMNS} />
      )}
      <h2>Workers</h2>
      {!workers.data ? (
        <Loading />
      ) : (
        <Table rows={workers.data.items} rowKey={(w) => w.id} columns={WORKER_COLUMNS} />
      )}
    </Page>
  );
}
