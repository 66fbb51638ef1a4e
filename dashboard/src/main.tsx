/**
 * The Chime dashboard: Preact views over the public HTTP API, kept live by the event stream.
 * Hash routes (#/jobs/name) so the server serves one page and needs no route table of its own.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { allows, loadSession, signOut, type Session } from './api.js';
import { useRoute } from './hooks.js';
import { connectLive, disconnectLive, onLiveStatus } from './live.js';
import './style.css';
import { ErrorBox, Loading } from './ui.js';
import { DaprJobPage } from './views/dapr-job-page.js';
import { DaprJobsView } from './views/dapr-jobs.js';
import { DeadLetterPage, DeadLettersView } from './views/dead-letters.js';
import { LoginView } from './views/login.js';
import { OverviewView } from './views/overview.js';
import { NewPlatformJob, PlatformJobPage } from './views/platform-job-page.js';
import { PlatformJobsView } from './views/platform-jobs.js';
import { QueuesView } from './views/queues.js';
import { ScheduleForm, SchedulesView } from './views/schedules.js';
import { TasksWorkersView } from './views/tasks-workers.js';

const NAV = [
  ['', 'Overview'],
  ['jobs', 'Jobs'],
  ['platform', 'Platform jobs'],
  ['schedules', 'Schedules'],
  ['queues', 'Queues'],
  ['dead-letters', 'Dead letters'],
  ['tasks', 'Tasks & workers'],
] as const;

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    loadSession().then(setSession, (e: Error) => setError(e.message));
    return onLiveStatus(setLive);
  }, []);
  useEffect(() => {
    if (session) connectLive();
    return disconnectLive;
  }, [session]);
  if (error) return <ErrorBox error={error} />;
  if (session === undefined) return <Loading />;
  if (session === null) return <LoginView onSignedIn={setSession} />;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Chime</span>
        <Nav />
        <span class="who">
          <span class={live ? 'live on' : 'live'} title={live ? 'live updates on' : 'live updates reconnecting'}>
            {live ? '● live' : '○ offline'}
          </span>{' '}
          {session.subject ?? 'user'} ({session.scope}){' '}
          <button type="button" onClick={() => signOut().then(() => setSession(null))}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes session={session} />
      </main>
    </>
  );
}

function Nav() {
  const { path } = useRoute();
  const current = path[0] ?? '';
  return (
    <nav class="nav" aria-label="Views">
      {NAV.map(([route, label]) => (
        <a key={route} href={`#/${route}`} aria-current={current === route ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

function Routes({ session }: { session: Session }) {
  const { path } = useRoute();
  const [view = '', id] = path;
  const canWrite = allows(session, 'write');
  switch (view) {
    case 'jobs':
      return id ? <DaprJobPage name={id} /> : <DaprJobsView />;
    case 'platform':
      if (id === 'new') return canWrite ? <NewPlatformJob /> : <ErrorBox error="Creating jobs needs the write scope." />;
      return id ? <PlatformJobPage id={id} canWrite={canWrite} /> : <PlatformJobsView canWrite={canWrite} />;
    case 'schedules':
      if (id) return canWrite ? <ScheduleForm id={id === 'new' ? null : id} /> : <ErrorBox error="Editing schedules needs the write scope." />;
      return <SchedulesView canWrite={canWrite} />;
    case 'queues':
      return <QueuesView canAdmin={allows(session, 'admin')} />;
    case 'dead-letters':
      return id ? <DeadLetterPage id={id} canWrite={canWrite} /> : <DeadLettersView canWrite={canWrite} />;
    case 'tasks':
      return <TasksWorkersView />;
    default:
      return <OverviewView />;
  }
}

render(<App />, document.getElementById('app')!);
