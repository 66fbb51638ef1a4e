import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/runtime/min-heap.js';

function drain(heap: MinHeap): number[] {
  const out: number[] = [];
  while (heap.size > 0) out.push(heap.pop()!);
  return out;
}

describe('MinHeap', () => {
  it('pops in ascending order whatever the push order', () => {
    const heap = new MinHeap();
    for (const value of [50, 10, 40, 30, 20, 0, 60]) heap.push(value);
    expect(heap.size).toBe(7);
    expect(drain(heap)).toEqual([0, 10, 20, 30, 40, 50, 60]);
  });

  it('keeps duplicates: each pushed time pops once', () => {
    const heap = new MinHeap();
    for (const value of [5, 3, 5, 3, 5]) heap.push(value);
    expect(drain(heap)).toEqual([3, 3, 5, 5, 5]);
  });

  it('peek shows the smallest without removing it; pop removes it', () => {
    const heap = new MinHeap();
    heap.push(7);
    heap.push(2);
    heap.push(9);
    expect(heap.peek()).toBe(2);
    expect(heap.size).toBe(3);
    expect(heap.pop()).toBe(2);
    expect(heap.peek()).toBe(7);
    expect(heap.size).toBe(2);
  });

  it('is empty: peek and pop give undefined, size 0', () => {
    const heap = new MinHeap();
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
    expect(heap.size).toBe(0);
    heap.push(1);
    heap.pop();
    expect(heap.pop()).toBeUndefined();
    expect(heap.size).toBe(0);
  });

  it('reset replaces the contents (given in any order) and pushes keep working after it', () => {
    const heap = new MinHeap();
    heap.push(1);
    heap.reset([30, 10, 20]);
    expect(heap.size).toBe(3);
    heap.push(15);
    expect(drain(heap)).toEqual([10, 15, 20, 30]);
  });

  it('reset does not keep a reference to the caller array', () => {
    const values = [3, 1, 2];
    const heap = new MinHeap();
    heap.reset(values);
    heap.pop();
    expect(values).toEqual([3, 1, 2]);
  });

  it('matches a sorted array under any mix of pushes, pops and resets', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), value: fc.integer({ min: -1000, max: 1000 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('reset' as const), values: fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const heap = new MinHeap();
        let model: number[] = [];
        for (const step of ops) {
          if (step.kind === 'push') {
            heap.push(step.value);
            model.push(step.value);
            model.sort((a, b) => a - b);
          } else if (step.kind === 'pop') {
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.reset(step.values);
            model = [...step.values].sort((a, b) => a - b);
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe(model[0]);
        }
        expect(drain(heap)).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });
});
