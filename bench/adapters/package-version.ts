import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version of an installed package, as npm resolved it for this project. */
export function installedVersion(packageName: string): string {
  return packageVersionAt(require.resolve(`${packageName}/package.json`));
}

/** The version in the package.json at `manifestPath`. */
export function packageVersionAt(manifestPath: string | URL): string {
  return (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string }).version;
}
