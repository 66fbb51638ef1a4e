/** The docs keep up with the code: every error code and every serve option is documented. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVE_FLAGS } from '../../src/cli/serve-command.js';
import { ERROR_CODES } from '../../src/core/errors.js';

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

describe('documentation', () => {
  it('documents every error code with its status and Dapr code', () => {
    const errors = doc('errors.md');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      const row = errors.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, code).toBeDefined();
      expect(row).toContain(`| ${spec.status} |`);
      expect(row).toContain(`\`${spec.daprCode}\``);
    }
  });

  it('documents every chime serve flag', () => {
    const configuration = doc('configuration.md');
    for (const [flag] of SERVE_FLAGS) {
      const name = flag.split(' ')[0]!;
      expect(configuration, name).toContain(`| \`${name}\` |`);
    }
  });
});
