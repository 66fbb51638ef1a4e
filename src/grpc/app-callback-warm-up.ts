/**
 * The gRPC twin of the callback warm-up (runtime/delivery/delivery-warm-up.ts): with
 * `--app-protocol grpc`, the first `OnJobEvent` calls of a fresh server run grpc-js's channel,
 * HTTP/2 session and protobuf encoding cold, so the server calls a gRPC app of its own on the
 * loopback interface first, through an AppCallbackDelivery like the real one. Nothing reaches
 * the app and nothing is stored.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Clock } from '../core/clock.js';
import { runWarmUpJobs } from '../core/runner-warm-up.js';
import { AppCallbackDelivery, type AppCallbackDeliveryOptions } from './app-callback-delivery.js';
import { daprService } from './proto-files.js';

/**
 * Calls `OnJobEvent` on a local gRPC app as the real delivery would (its options but the
 * address); resolves with how many calls were answered OK. Never rejects.
 */
export async function warmAppCallbackDelivery(options: AppCallbackDeliveryOptions, clock: Clock): Promise<number> {
  const app = new Server();
  let delivery: AppCallbackDelivery | undefined;
  try {
    app.addService(daprService('AppCallback').service, {
      OnJobEvent: (_call: ServerUnaryCall<unknown, unknown>, answer: sendUnaryData<object>) => answer(null, {}),
    });
    const port = await new Promise<number>((resolve, reject) =>
      app.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    delivery = new AppCallbackDelivery({ ...options, address: `127.0.0.1:${port}` });
    return await runWarmUpJobs(delivery, clock);
  } catch {
    return 0;
  } finally {
    await delivery?.close();
    app.forceShutdown();
  }
}
