/**
 * An attempt's abort: the AbortSignal made only when asked for, and the same reason through
 * `reason`, the signal and the listeners whichever comes first.
 */
import { describe, expect, it, vi } from 'vitest';
import { AttemptAbort } from '../../src/core/job-runner.js';

describe('AttemptAbort', () => {
  it('is not aborted until aborted', () => {
    const abort = new AttemptAbort();
    expect(abort.reason).toBeUndefined();
    expect(abort.signal.aborted).toBe(false);
  });

  it('aborts a signal asked for before, with the reason', () => {
    const abort = new AttemptAbort();
    const signal = abort.signal;
    const seen = vi.fn();
    signal.addEventListener('abort', seen);
    abort.abort('timeout');
    expect(seen).toHaveBeenCalledOnce();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('timeout');
    expect(abort.reason).toBe('timeout');
  });

  it('gives a signal asked for after the abort already aborted, with the reason', () => {
    const abort = new AttemptAbort();
    abort.abort('cancelled');
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe('cancelled');
  });

  it('gives one signal however often it is asked for', () => {
    const abort = new AttemptAbort();
    expect(abort.signal).toBe(abort.signal);
  });

  it('keeps the first reason', () => {
    const abort = new AttemptAbort();
    const signal = abort.signal;
    abort.abort('timeout');
    abort.abort('shutdown');
    expect(abort.reason).toBe('timeout');
    expect(signal.reason).toBe('timeout');
  });

  it('calls each listener once, not one that was removed, and one added after the abort at once', () => {
    const abort = new AttemptAbort();
    const kept = vi.fn();
    const removed = vi.fn();
    abort.onAbort(kept);
    const remove = abort.onAbort(removed);
    remove();
    abort.abort('cancelled');
    abort.abort('timeout');
    expect(kept).toHaveBeenCalledOnce();
    expect(removed).not.toHaveBeenCalled();
    const late = vi.fn();
    abort.onAbort(late);
    expect(late).toHaveBeenCalledOnce();
  });

  it('removes one listener wherever it is, the last added copy of one added twice', () => {
    const abort = new AttemptAbort();
    const calls: string[] = [];
    const first = () => calls.push('first');
    const middle = () => calls.push('middle');
    const twice = () => calls.push('twice');
    abort.on('abort', twice).on('abort', first).on('abort', middle).on('abort', twice).on('abort', () => calls.push('last'));
    abort.removeListener('abort', middle).removeListener('abort', twice).removeListener('abort', () => calls.push('never added'));
    abort.abort('cancelled');
    expect(calls).toEqual(['twice', 'first', 'last']);
  });

  it('has the EventEmitter shape undici takes as a signal: listeners of abort, aborted and reason', () => {
    const abort = new AttemptAbort();
    const heard = vi.fn();
    const removed = vi.fn();
    abort.on('abort', heard).addListener('abort', removed).removeListener('abort', removed);
    expect(abort.aborted).toBe(false);
    abort.abort('shutdown');
    expect(heard).toHaveBeenCalledOnce();
    expect(removed).not.toHaveBeenCalled();
    expect(abort.aborted).toBe(true);
    expect(abort.reason).toBe('shutdown');
  });
});

