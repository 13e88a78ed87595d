import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { transform } from '@swc/core';
import { build, type Plugin } from 'esbuild';
import { builtPath, entries } from './entries';
import { buildWeb, WEB_ENTRIES } from './web';

/**
 * `./dev build`: every entry point compiled once into `dist/<name>/main.js` (esbuild, about a second for all).
 * Our code — the app and the @leadflow/* libs it imports — is bundled; node_modules stay external, so the image
 * ships `npm ci --omit=dev` beside dist/ and the kafkajs patch applies to the installed package. Services then
 * start without a transpiler in memory.
 */
/**
 * esbuild lowers decorators but emits no design-type metadata, which Nest reads to inject constructor parameters
 * (a guard's Reflector, say). Files of Nest's shell go through SWC first, with the same settings the tests use.
 */
const nestDecorators: Plugin = {
  name: 'nest-decorator-metadata',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes("from '@nestjs/")) return undefined;
      const out = await transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
      });
      return { contents: out.code, loader: 'js' };
    });
  },
};

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..', '..');
  const all = entries(root);
  const t0 = Date.now();
  await Promise.all([
    ...WEB_ENTRIES.map((w) => buildWeb(root, w)),
    ...all.map((e) =>
      build({
        absWorkingDir: root,
        entryPoints: [e.source],
        outfile: builtPath(e.name),
        bundle: true,
        packages: 'external',
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        sourcemap: true,
        tsconfig: 'tsconfig.json',
        logLevel: 'warning',
        legalComments: 'none',
        plugins: [nestDecorators],
      }),
    ),
  ]);
  process.stdout.write(
    `built ${all.length} programs and ${WEB_ENTRIES.length} web page(s) into dist/ in ${Date.now() - t0} ms\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
