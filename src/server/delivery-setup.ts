/** The outbound side of `chime serve`: the guard, the signer, and the callback runner using them. */
import type { Clock } from '../core/clock.js';
import type { ClaimedJob } from '../core/types.js';
import { CallbackDelivery, type CallbackDeliveryOptions } from '../runtime/delivery/callback-delivery.js';
import { warmCallbackDelivery } from '../runtime/delivery/delivery-warm-up.js';
import { OutboundGuard } from '../runtime/delivery/outbound-guard.js';
import { WebhookSigner } from '../runtime/delivery/webhook-signing.js';
import type { NodeOptions } from './options.js';
import { loadOrCreateWebhookSecret } from './webhook-secret.js';

export interface DeliveryParts {
  guard: OutboundGuard;
  runner: CallbackDelivery;
  /** Runs the delivery code through requests to a local listener (delivery-warm-up.ts); resolves with those answered. */
  warmUp(): Promise<number>;
}

/** `traceparent`: the header each attempt carries (tracing on); absent: the one stored with the job. */
export function createDelivery(options: NodeOptions, clock: Clock, traceparent?: (job: ClaimedJob) => string | null): DeliveryParts {
  const trusted = [options.appUrl, ...(options.failureHookUrl ? [options.failureHookUrl] : [])];
  const guard = new OutboundGuard(options.allowTarget, trusted);
  const signer = options.webhookSigning ? new WebhookSigner(options.webhookSecret ?? [loadOrCreateWebhookSecret(options.dataDir)]) : null;
  const deliveryOptions: CallbackDeliveryOptions = {
    appUrl: options.appUrl,
    style: options.callbackStyle,
    connections: options.maxConcurrentJobs,
    targetConnections: options.targetConcurrency ?? Math.max(1, Math.floor(options.maxConcurrentJobs / 2)),
    nodeId: options.nodeId,
    signer,
    guard,
    appApiToken: options.appApiToken,
    traceparent,
  };
  return { guard, runner: new CallbackDelivery(deliveryOptions, clock), warmUp: () => warmCallbackDelivery(deliveryOptions, clock) };
}
