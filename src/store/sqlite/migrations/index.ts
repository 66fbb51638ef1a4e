import * as initial from './001-initial.js';
import * as platform from './002-platform.js';
import * as delivery from './003-delivery.js';
import * as deadLetterIndex from './004-dead-letter-index.js';
import * as traceparent from './005-traceparent.js';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

/** Applied in order; a version is never edited once released, only followed by a new one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: initial.up },
  { version: 2, name: 'platform', up: platform.up },
  { version: 3, name: 'delivery', up: delivery.up },
  { version: 4, name: 'dead-letter-index', up: deadLetterIndex.up },
  { version: 5, name: 'traceparent', up: traceparent.up },
];
