import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { useData } from '../hooks.js';
import { ErrorBox, Loading, Page, Status, Time } from '../ui.js';

export interface TaskInfo {
  name: string;
  description: string;
  queue: string;
  version: string;
  timeout: number;
  max_retries: number;
  retry_delay: number;
  is_async: boolean;
}

interface Worker {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  tasks: string[];
  concurrency: number;
  status: string;
  started_at: string;
  last_seen_at: string;
}

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
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Task</th>
                <th>Version</th>
                <th>Queue</th>
                <th class="num">Timeout</th>
                <th class="num">Retries</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.items.map((t) => (
                <tr key={`${t.name}@${t.version}`}>
                  <td>
                    <a href={`#/platform?${new URLSearchParams({ queue_name: t.queue })}`}>{t.name}</a>
                  </td>
                  <td>{t.version}</td>
                  <td>{t.queue}</td>
                  <td class="num">{t.timeout} s</td>
                  <td class="num">{t.max_retries}</td>
                  <td>{t.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Workers</h2>
      {!workers.data ? (
        <Loading />
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Worker</th>
                <th>Status</th>
                <th>Host / pid</th>
                <th>Queues</th>
                <th class="num">Concurrency</th>
                <th>Started</th>
                <th>Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {workers.data.items.map((w) => (
                <tr key={w.id}>
                  <td class="mono small">{w.id}</td>
                  <td>
                    <Status value={w.status} />
                  </td>
                  <td>
                    {w.hostname} / {w.pid}
                  </td>
                  <td>{w.queues.join(', ')}</td>
                  <td class="num">{w.concurrency}</td>
                  <td>
                    <Time value={w.started_at} />
                  </td>
                  <td>
                    <Time value={w.last_seen_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
