import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdSchemas, kubernetesSchemas } from './kube-schemas';

/** Where `./dev setup` puts the raw inputs (tools/go-tools/setup.sh) and where the converted schemas go. */
export function schemaDirs(localDir: string): { raw: string; out: string } {
  const raw = join(localDir, 'go-tools', 'schemas');
  return { raw, out: join(raw, 'json') };
}

/**
 * Converts the raw inputs once: the output folder carries a stamp of the Kubernetes version and the CRD files, so a
 * later call with the same inputs does nothing. Returns the folder kubeconform reads.
 */
export function ensureKubeSchemas(localDir: string): string {
  const { raw, out } = schemaDirs(localDir);
  const swagger = join(raw, 'kubernetes', 'swagger.json');
  const kedaDir = join(raw, 'keda');
  if (!existsSync(swagger) || !existsSync(kedaDir)) {
    throw new Error(
      `${raw} has no Kubernetes OpenAPI document or KEDA CRDs: run ./dev setup (tools/go-tools/setup.sh)`,
    );
  }
  const crds = readdirSync(kedaDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const version = readFileSync(join(raw, 'kubernetes', 'VERSION'), 'utf8').trim();
  const stamp = JSON.stringify({ version, crds, converter: 1 });
  const stampFile = join(out, '.stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return out;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = new Map([
    ...kubernetesSchemas(JSON.parse(readFileSync(swagger, 'utf8'))),
    ...crdSchemas(crds.flatMap((f) => parseAllDocuments(readFileSync(join(kedaDir, f), 'utf8')).map((d) => d.toJS()))),
  ]);
  for (const [name, schema] of files) writeFileSync(join(out, name), JSON.stringify(schema));
  writeFileSync(stampFile, stamp);
  return out;
}

if (require.main === module) {
  const local = resolve(process.argv[2] ?? join(__dirname, '..', '..', '..', '.local'));
  const t0 = Date.now();
  const out = ensureKubeSchemas(local);
  process.stdout.write(`kubeconform schemas in ${out} (${Date.now() - t0} ms)\n`);
}
