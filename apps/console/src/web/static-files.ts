import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
  readonly etag: string;
}

/**
 * The built front end, read into memory once at start (a few hundred KB): the console serves its own page, so
 * nothing is fetched from a CDN and nothing is built at deploy time. Missing files are a start-up error.
 */
export function loadStaticFiles(dir: string): ReadonlyMap<string, StaticFile> {
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`the console's front end is not built at ${dir} (./dev build builds it)`);
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    files.set(name, { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  }
  return files;
}
