import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

/** A front end the build bundles for the browser: its entry module and the static files served beside it. */
export interface WebEntry {
  /** Folder under dist/ (beside the service's main.js, which serves it from there). */
  readonly out: string;
  readonly source: string;
  readonly assets: readonly string[];
}

/**
 * The console's page: preact + htm bundled by esbuild into one ES module, with its HTML and CSS, into
 * dist/apps/console/web. The console serves these files itself: nothing from a CDN, nothing built at deploy time.
 */
export const WEB_ENTRIES: readonly WebEntry[] = [
  {
    out: 'dist/apps/console/web',
    source: 'apps/console/web/src/main.js',
    assets: ['apps/console/web/index.html', 'apps/console/web/styles.css'],
  },
];

export async function buildWeb(root: string, entry: WebEntry, outDir = join(root, entry.out)): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: [entry.source],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await Promise.all(entry.assets.map((a) => copyFile(join(root, a), join(outDir, a.split('/').pop() ?? a))));
}
