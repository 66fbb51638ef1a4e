/**
 * The API's wire shapes, taken from their one definition: the route schemas (`/api/v1`, as the SDK
 * re-exports them) and the SDK's Dapr job types. Type-only: nothing of the server or the SDK ends up in the bundle.
 */
export type { JobListDto as PlatformJobList, JobViewDto as PlatformJob, QueueDto as Queue, ScheduleViewDto as Schedule, TaskInfoDto as TaskInfo, WorkerDto as Worker } from '../../src/client/jobs-client.js';
export type { DaprJob, DaprJobList, JobFiring as Firing } from '../../src/client/scheduler-client.js';
