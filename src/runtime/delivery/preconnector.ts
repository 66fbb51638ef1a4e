/**
 * A pool's connector that can open a connection ahead of a callback. A lone callback (one
 * job, seconds after the last) to an app that has closed its idle connection (Node's and
 * uvicorn's servers do after 5 s) waited for a new one: 0.6–1.0 ms of its lateness on the
 * loopback (docs/benchmarks.md, "Connections opened ahead of a due callback"). The engine claims
 * jobs a little ahead of their due time, so it can ask for a connection then, and the
 * callback finds it open.
 *
 * undici has no call that only connects: this wraps the connector undici would build itself
 * and hands the connection opened ahead to the pool's next connect. It opens one only when
 * the pool has none open, and only with the options undici passed on its own last connect to
 * this origin (so the same address, name resolution and TLS server name). Before the pool's
 * first connection it does nothing, unless given the options undici's first connect will
 * pass (`firstConnectOptions`): the app's pool has them, so the first callback after a start
 * finds its connection open too.
 */
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/** A connection opened ahead and not taken within this long is closed: its job went elsewhere. */
const SPARE_TTL_MS = 2_000;

export class Preconnector {
  /** Sockets of this pool that are open, the spare included. */
  private open = 0;
  /** What the next connection opened ahead passes: undici's last connect's, or `firstOptions`. */
  private lastOptions: buildConnector.Options | null;
  private spare: Socket | null = null;
  private spareTimer: NodeJS.Timeout | null = null;
  private opening = false;
  private closed = false;

  /** `firstOptions`: what the pool's first connect will pass, to open one before it (see above). */
  constructor(
    private readonly base: buildConnector.connector,
    firstOptions: buildConnector.Options | null = null,
    private readonly spareTtlMs = SPARE_TTL_MS,
  ) {
    this.lastOptions = firstOptions;
  }

  /** The pool's `connect` option. */
  readonly connect: buildConnector.connector = (options, callback) => {
    this.lastOptions = options;
    const spare = this.takeSpare();
    if (spare) return callback(null, spare);
    this.base(options, (error, socket) => {
      if (socket) this.track(socket);
      (callback as (error: Error | null, socket: Socket | null) => void)(error, socket);
    });
  };

  /** Opens a connection for the next request when the pool has none open (and knows how to). */
  prepare(): void {
    if (this.open > 0 || this.opening || this.closed || this.lastOptions === null) return;
    this.opening = true;
    this.base(this.lastOptions, (error, socket) => {
      this.opening = false;
      if (error || !socket) return; // the request that follows connects, and reports, as before
      this.track(socket);
      if (this.closed) return void socket.destroy();
      this.spare = socket;
      this.spareTimer = setTimeout(() => this.dropSpare(), this.spareTtlMs);
      this.spareTimer.unref();
    });
  }

  /** Whether a connection opened ahead waits for the next request. */
  get spareReady(): boolean {
    return this.spare !== null;
  }

  /** Closes the spare; later prepare() calls do nothing. */
  close(): void {
    this.closed = true;
    this.dropSpare();
  }

  private takeSpare(): Socket | null {
    const spare = this.spare;
    if (spare === null) return null;
    this.clearSpare();
    // Closed by the app in the meantime: the caller connects anew.
    return !spare.destroyed && spare.readyState === 'open' ? spare : null;
  }

  private dropSpare(): void {
    const spare = this.spare;
    this.clearSpare();
    spare?.destroy();
  }

  private clearSpare(): void {
    if (this.spareTimer) clearTimeout(this.spareTimer);
    this.spareTimer = null;
    this.spare = null;
  }

  private track(socket: Socket): void {
    this.open++;
    socket.once('close', () => {
      this.open--;
      if (this.spare === socket) this.clearSpare();
    });
  }
}

/**
 * The options an undici pool with no `servername` or `localAddress` of its own passes to its
 * connector for `origin` (undici's `connect` in lib/dispatcher/client.js, 6.x: the origin's URL
 * parts, an IPv6 address without its brackets, both names null).
 */
export function firstConnectOptions(origin: URL): buildConnector.Options {
  const { host, protocol, port } = origin;
  const hostname = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
  return { host, hostname, protocol, port, servername: null, localAddress: null } as unknown as buildConnector.Options;
}
