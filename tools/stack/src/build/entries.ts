import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One program that runs as a process: a service, the CLI, or a process of the local stack. */
export interface Entry {
  /** `apps/ingest`, `tools/stack/receiver`, ...: also the folder under dist/. */
  readonly name: string;
  readonly source: string;
}

/**
 * Every entry point that runs as a process: each app's `src/main.ts` (services and leadctl), and the processes
 * the local stack and docker-compose start besides them (simulators, the demo receiver, the topics one-shot).
 */
export function entries(root: string): Entry[] {
  const apps = readdirSync(join(root, 'apps'))
    .filter((app) => existsSync(join(root, 'apps', app, 'src', 'main.ts')))
    .map((app) => ({ name: `apps/${app}`, source: `apps/${app}/src/main.ts` }));
  return [
    ...apps,
    { name: 'libs/simulators', source: 'libs/simulators/src/main.ts' },
    { name: 'tools/stack/receiver', source: 'tools/stack/src/receiver/main.ts' },
    { name: 'tools/stack/topics', source: 'tools/stack/src/topics-cli.ts' },
  ];
}

/** Where an entry's built program is: `dist/<name>/main.js`. */
export const builtPath = (name: string): string => `dist/${name}/main.js`;
