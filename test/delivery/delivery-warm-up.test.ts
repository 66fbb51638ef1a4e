/** The callback delivery warm-ups: real requests through the runners' code, to a listener of their own only. */
import { describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/core/clock.js';
import { warmAppCallbackDelivery } from '../../src/grpc/app-callback-warm-up.js';
import type { CallbackDeliveryOptions } from '../../src/runtime/delivery/callback-delivery.js';
import { WARM_UP_LANES, WARM_UP_REQUESTS_PER_LANE } from '../../src/core/runner-warm-up.js';
import { warmCallbackDelivery } from '../../src/runtime/delivery/delivery-warm-up.js';
import { OutboundGuard } from '../../src/runtime/delivery/outbound-guard.js';
import { generateWebhookSecret, WebhookSigner } from '../../src/runtime/delivery/webhook-signing.js';
import { GrpcApp } from '../support/dapr-grpc.js';
import { Receiver } from '../support/receiver.js';
import { startTestServer } from '../support/server.js';

const REQUESTS = WARM_UP_LANES * WARM_UP_REQUESTS_PER_LANE;

function optionsFor(appUrl: string, signer: WebhookSigner): CallbackDeliveryOptions {
  return { appUrl, style: 'auto', connections: 8, signer, guard: new OutboundGuard([], [appUrl]) };
}

describe('warmCallbackDelivery', () => {
  it('sends signed requests of both callback shapes, every one answered, none to the app', async () => {
    const app = new Receiver();
    const appUrl = await app.start();
    try {
      const signer = new WebhookSigner([generateWebhookSecret()]);
      const signed = vi.spyOn(signer, 'headers');
      expect(await warmCallbackDelivery(optionsFor(appUrl, signer), new SystemClock())).toBe(REQUESTS);
      expect(signed).toHaveBeenCalledTimes(REQUESTS);
      const bodies = signed.mock.calls.map(([, , body]) => String(body));
      // --callback-style auto: Dapr jobs go out as their bare data, the others in the envelope.
      expect(bodies.filter((body) => body.startsWith('{"job_name":"warm-up-')).length).toBe(REQUESTS / 2);
      expect(bodies.filter((body) => /^\{"i":\d+\}$/.test(body)).length).toBe(REQUESTS / 2);
      expect(app.received).toHaveLength(0);
    } finally {
      await app.stop();
    }
  });

  it('resolves with 0, and closes what it opened, when the requests cannot be made', async () => {
    const signer = new WebhookSigner([generateWebhookSecret()]);
    vi.spyOn(signer, 'headers').mockImplementation(() => {
      throw new Error('no signing today');
    });
    // The file's leak check fails it if the listener or a connection stays open.
    expect(await warmCallbackDelivery(optionsFor('http://127.0.0.1:9', signer), new SystemClock())).toBe(0);
  });
});

describe('warmAppCallbackDelivery', () => {
  it('makes OnJobEvent calls, every one answered, none to the app', async () => {
    const app = new GrpcApp();
    const appUrl = await app.start({ stable: true });
    try {
      const address = new URL(appUrl).host;
      expect(await warmAppCallbackDelivery({ address, nodeId: 'node-a' }, new SystemClock())).toBe(REQUESTS);
      expect(app.events).toHaveLength(0);
    } finally {
      await app.stop();
    }
  });
});

describe('chime serve', () => {
  it('warms its delivery up at start without a request to the app', async () => {
    const app = new Receiver();
    const appUrl = await app.start();
    try {
      const server = await startTestServer({ appUrl });
      await server.close();
      expect(app.received).toHaveLength(0);
    } finally {
      await app.stop();
    }
  });

  it('warms its gRPC delivery up too with --app-protocol grpc, without a call to the app', async () => {
    const app = new GrpcApp();
    const appUrl = await app.start({ stable: true });
    try {
      const server = await startTestServer({ appUrl, appProtocol: 'grpc' });
      await server.close();
      expect(app.events).toHaveLength(0);
    } finally {
      await app.stop();
    }
  });
});
