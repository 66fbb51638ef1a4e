/**
 * The creation-time check of a job's delivery URLs. The rule that decides (the outbound
 * guard, `--allow-target`) lives with delivery in the runtime, which checks again after DNS
 * at connect time; services receive it as a TargetCheck, so they need nothing of the runtime.
 */
import type { DeliverySpec } from './delivery-spec.js';

/** Throws TARGET_NOT_ALLOWED naming `field` when `url` may not be a target (OutboundGuard.check). */
export interface TargetCheck {
  check(url: string, field: string): void;
}

/** Checks every URL of a job's delivery spec at creation; TARGET_NOT_ALLOWED names the field. */
export function checkDeliverySpec(guard: TargetCheck | undefined, spec: DeliverySpec | null, prefix = ''): void {
  if (!guard || !spec) return;
  if (spec.target) guard.check(spec.target.url, `${prefix}target.url`);
  if (spec.onFailure) guard.check(spec.onFailure, `${prefix}on_failure`);
  if (spec.onSuccess) guard.check(spec.onSuccess, `${prefix}on_success`);
}
