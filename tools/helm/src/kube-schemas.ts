/**
 * Per-kind JSON schemas in the layout kubeconform reads (`<kind><kind suffix>.json`, e.g. `deployment-apps-v1.json`,
 * `scaledobject-keda-v1alpha1.json`), made from the two raw inputs `./dev setup` brings from the Go module proxy:
 * Kubernetes' OpenAPI v2 document (swagger.json) and KEDA's CustomResourceDefinitions. What kubeconform's own
 * `openapi2jsonschema.py` does, in TypeScript so that no Python package is needed:
 * - strict: every object that lists its properties refuses others (`additionalProperties: false`), unless the API
 *   keeps unknown fields (`x-kubernetes-preserve-unknown-fields`);
 * - int-or-string fields accept both; a resource quantity accepts a number too (the API server does);
 * - standalone: each kind's file carries the definitions it references, so no file refers to another.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** kubeconform's file name for a kind of an apiVersion (registry.go schemaPath: `{{ .ResourceKind }}{{ .KindSuffix }}`). */
export function schemaFileName(kind: string, apiVersion: string): string {
  const [groupOrVersion = '', version] = apiVersion.split('/');
  const suffix = `-${(groupOrVersion.split('.')[0] ?? '').toLowerCase()}${version ? `-${version.toLowerCase()}` : ''}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

const INT_OR_STRING: JsonObject = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
const QUANTITY: JsonObject = { oneOf: [{ type: 'string' }, { type: 'number' }] };

/** The strict, kubeconform-ready form of one schema node (returns a new tree). */
export function strictSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (!isObject(node)) return node;
  if (node['format'] === 'int-or-string' || node['x-kubernetes-int-or-string'] === true) {
    return {
      ...INT_OR_STRING,
      ...(typeof node['description'] === 'string' ? { description: node['description'] } : {}),
    };
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    // `properties` and `definitions` map names to schemas: their keys are not keywords.
    out[k] =
      (k === 'properties' || k === 'definitions' || k === 'patternProperties') && isObject(v)
        ? Object.fromEntries(Object.entries(v).map(([name, s]) => [name, strictSchema(s)]))
        : strictSchema(v);
  }
  if (node['nullable'] === true && typeof node['type'] === 'string') out['type'] = [node['type'], 'null'];
  if (isObject(node['properties']) && !('additionalProperties' in node)) {
    if (node['x-kubernetes-preserve-unknown-fields'] !== true) out['additionalProperties'] = false;
  }
  return out;
}

const REF_PREFIX = '#/definitions/';

/** Names of the definitions a schema refers to, directly or through others. */
function referenced(definitions: JsonObject, root: string): Set<string> {
  const seen = new Set<string>([root]);
  const stack = [root];
  const visit = (n: Json | undefined): void => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (isObject(n)) {
      const ref = n['$ref'];
      if (typeof ref === 'string' && ref.startsWith(REF_PREFIX)) {
        const name = ref.slice(REF_PREFIX.length);
        if (!seen.has(name)) {
          seen.add(name);
          stack.push(name);
        }
      }
      Object.values(n).forEach(visit);
    }
  };
  while (stack.length > 0) visit(definitions[stack.pop() as string]);
  return seen;
}

/** One schema per kind of Kubernetes' OpenAPI v2 document (the definitions with a group-version-kind). */
export function kubernetesSchemas(swagger: unknown): Map<string, Json> {
  const doc = swagger as { definitions?: JsonObject };
  const definitions = doc.definitions;
  if (!isObject(definitions)) throw new Error('not a Kubernetes OpenAPI v2 document: no definitions');
  const definitionsOverride: JsonObject = {
    ...definitions,
    'io.k8s.apimachinery.pkg.api.resource.Quantity': QUANTITY,
  };
  const files = new Map<string, Json>();
  for (const [name, def] of Object.entries(definitionsOverride)) {
    const gvks = isObject(def) ? def['x-kubernetes-group-version-kind'] : undefined;
    if (!Array.isArray(gvks) || gvks.length !== 1 || !isObject(gvks[0])) continue;
    const { group, version, kind } = gvks[0] as { group: string; version: string; kind: string };
    const apiVersion = group ? `${group}/${version}` : version;
    const closure = referenced(definitionsOverride, name);
    const schema: JsonObject = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $ref: `${REF_PREFIX}${name}`,
      definitions: Object.fromEntries([...closure].map((n) => [n, definitionsOverride[n] ?? {}])),
    };
    files.set(schemaFileName(kind, apiVersion), strictSchema(schema));
  }
  return files;
}

interface Crd {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions?: { name: string; schema?: { openAPIV3Schema?: Json } }[];
  };
}

/** One schema per served version of each CustomResourceDefinition among `documents`. */
export function crdSchemas(documents: readonly unknown[]): Map<string, Json> {
  const files = new Map<string, Json>();
  for (const doc of documents as Crd[]) {
    if (doc?.kind !== 'CustomResourceDefinition' || !doc.spec) continue;
    for (const v of doc.spec.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (schema === undefined) continue;
      files.set(
        schemaFileName(doc.spec.names.kind, `${doc.spec.group}/${v.name}`),
        strictSchema({ $schema: 'http://json-schema.org/draft-07/schema#', ...(schema as JsonObject) }),
      );
    }
  }
  return files;
}
