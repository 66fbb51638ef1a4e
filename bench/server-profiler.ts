/**
 * A CPU profiler attached to another Node process's inspector (`node --inspect=host:port`)
 * over the Chrome DevTools Protocol, so a measurement can profile exactly its own window of a
 * server's life (the burst, not the inserts before it).
 */
import WebSocket from 'ws';
import type { CpuProfile } from './profile-shares.js';

export interface ServerProfiler {
  start(): Promise<void>;
  /** Stops the profiler and closes the session. */
  stop(): Promise<CpuProfile>;
}

/** Sampling interval: 1 ms is V8's default; finer costs the profiled server more. */
const SAMPLING_INTERVAL_US = 1_000;

/** `inspectorUrl`: http://host:port of the inspector, or its ws:// debugger URL. */
export async function connectProfiler(inspectorUrl: string): Promise<ServerProfiler> {
  const debuggerUrl = inspectorUrl.startsWith('ws://')
    ? inspectorUrl
    : ((await (await fetch(`${inspectorUrl}/json/list`)).json()) as { webSocketDebuggerUrl: string }[])[0]!.webSocketDebuggerUrl;
  const socket = new WebSocket(debuggerUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 0;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(`inspector: ${message.error.message}`));
    else waiter?.resolve(message.result);
  });
  const send = <T>(method: string, params: object = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  return {
    start: () => send('Profiler.start'),
    async stop() {
      const { profile } = await send<{ profile: CpuProfile }>('Profiler.stop');
      socket.close();
      return profile;
    },
  };
}
