/** The TypeScript SDK. */
export { ChimeApiError, type HttpClientOptions } from './http.js';
export { SchedulerClient, type DaprJob, type DaprJobList, type JobFiring, type JobTargetSpec, type ScheduleJobRequest } from './scheduler-client.js';
export { JobManager, type ReminderScheduled } from './job-manager.js';
export * from './jobs-client.js';
export { defineTask, type TaskContext, type TaskDefinition, type TaskOptions } from '../core/tasks.js';
export { verifyWebhook, WebhookVerificationError, type VerifyWebhookOptions } from './webhooks.js';
