import { readdirSync, readFileSync } from 'node:fs';
import nx from '@nx/eslint-plugin';

/**
 * The import names of the libs tagged scope:testing or scope:infra (the test harness, simulators, local launchers),
 * read from their project.json tags. Nx's own `notDependOnLibsWithTags` follows the project graph, which includes
 * the libs' tests, so it cannot tell production code from test code; this list feeds a plain import rule instead.
 */
function testOnlyLibs() {
  return readdirSync('libs')
    .filter((dir) => {
      try {
        const { tags = [] } = JSON.parse(readFileSync(`libs/${dir}/project.json`, 'utf8'));
        return tags.includes('scope:testing') || tags.includes('scope:infra');
      } catch {
        return false;
      }
    })
    .map((dir) => `@leadflow/${dir}`);
}

/**
 * Nx module boundaries. Tests (and only tests) may also use the testing harness lib.
 * @param {boolean} tests
 */
function boundaries(tests) {
  const t = (tags) => (tests ? [...tags, 'scope:testing'] : tags);
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // The model is the contract: it depends on nothing of ours (and no framework, no Kafka client).
      { sourceTag: 'scope:model', onlyDependOnLibsWithTags: t([]) },
      // Runtime libs (Kafka clients, sink loop, offer table) build on the model and each other.
      { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: t(['scope:model', 'scope:runtime']) },
      // Local infrastructure (broker/emulator launchers) knows nothing of the product.
      { sourceTag: 'scope:infra', onlyDependOnLibsWithTags: t(['scope:infra']) },
      {
        sourceTag: 'scope:testing',
        onlyDependOnLibsWithTags: ['scope:infra', 'scope:model', 'scope:runtime', 'scope:testing'],
      },
      // Libs never import apps or tools.
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', '**/.local', '**/tmp', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // An app's production code never loads the test harness, the CRM simulators or the local launchers.
    files: ['apps/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.int-harness.ts', '**/test/**', 'apps/*/bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: testOnlyLibs().map((name) => ({ name, message: 'test-only lib: import it from tests only' })) },
      ],
    },
  },
  {
    // libs/lead-model must stay framework- and client-free.
    files: ['libs/lead-model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', 'kafkajs', '@azure/*', 'jsforce', 'pino'] }],
    },
  },
  {
    // Configuration is read once, in an app's config module.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: [
      '**/*.config.ts',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/test/**',
      'libs/testing/**',
      'libs/local-infra/**',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in *.config.ts only.' },
      ],
    },
  },
];
