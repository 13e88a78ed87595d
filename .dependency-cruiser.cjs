/**
 * Import direction inside the apps (`./dev test` runs it beside ESLint; Nx's module boundaries guard the libs).
 *
 * ingest is layered, each folder importing only folders below it:
 *   root (main, composition, module, config)  assembles everything
 *   http/          the HTTP surface: OpenAPI, the gate's wiring, ops routes, the problem filter
 *   destinations/  replay/          features built on leads and status
 *   leads/                          intake and publication of leads
 *   auth/  publishing/  status/     features that need only what every feature uses
 *   common/        what every feature uses: problems, request context, JSON body, metrics, background tasks
 * Every app, the sinks included: no import cycles (a flat app then has one direction too), nothing but a bin/ launcher imports main.ts,
 * and the router's pure routing core imports nothing of its Kafka pipeline.
 * Tests and test harnesses may reach across layers: they assemble what they test.
 */
const INGEST = '^apps/ingest/src/';
const TESTS = '\\.(spec|int-spec|int-harness)\\.ts$';

/** A folder of ingest may import itself and the folders listed, nothing else of ingest (root files included). */
function ingestLayer(folder, below) {
  return {
    name: `ingest-${folder}-imports-only-below`,
    comment: `apps/ingest/src/${folder}/ may import only ${below.length ? below.join(', ') : 'nothing else of ingest'}`,
    severity: 'error',
    from: { path: `${INGEST}${folder}/`, pathNot: TESTS },
    to: { path: INGEST, pathNot: `${INGEST}(${[folder, ...below].join('|')})/` },
  };
}

module.exports = {
  forbidden: [
    ingestLayer('common', []),
    ingestLayer('auth', ['common']),
    ingestLayer('publishing', ['common']),
    ingestLayer('status', ['common']),
    ingestLayer('leads', ['auth', 'publishing', 'status', 'common']),
    ingestLayer('destinations', ['leads', 'auth', 'publishing', 'status', 'common']),
    ingestLayer('replay', ['leads', 'auth', 'publishing', 'status', 'common']),
    ingestLayer('http', ['destinations', 'replay', 'leads', 'auth', 'publishing', 'status', 'common']),
    {
      name: 'no-app-cycles',
      comment: 'an import cycle inside an app means two modules each know the other: split what both need',
      severity: 'error',
      from: { path: '^apps/', pathNot: TESTS },
      to: { circular: true },
    },
    {
      name: 'nothing-imports-main',
      comment: 'main.ts starts a process; a module that imports it would start one too',
      severity: 'error',
      from: { path: '^apps/', pathNot: '^apps/[^/]+/bin/' },
      to: { path: '^apps/[^/]+/src/main\\.ts$' },
    },
    {
      name: 'router-core-is-pure',
      comment: "the router's routing decisions know nothing of the Kafka pipeline that runs them",
      severity: 'error',
      from: { path: '^apps/router/src/routing/', pathNot: TESTS },
      to: { path: '^apps/router/src/', pathNot: '^apps/router/src/routing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|dist|\\.local)/' },
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
