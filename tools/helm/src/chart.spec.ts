import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Topics } from '@leadflow/lead-model';
import { SINK_SERVICES } from '@leadflow/sink-runtime';
import { ensureKubeSchemas } from './kube-schemas-cli';
import { undocumentedValues } from './values-comments';

/**
 * The Helm chart (deploy/helm/leadflow): linted strictly, rendered with the default values and with values that turn
 * every option on, and the output validated by kubeconform -strict against Kubernetes' schemas (the version
 * tools/go-tools/setup.sh names) and KEDA's CRDs, all brought by `./dev setup`; nothing is fetched here.
 */
const ROOT = join(__dirname, '..', '..', '..');
const LOCAL = join(ROOT, '.local');
const CHART = join(ROOT, 'deploy', 'helm', 'leadflow');
const BIN = join(LOCAL, 'go-tools', 'bin');
const VALUES = {
  default: [] as string[],
  allOptions: ['-f', join(CHART, 'ci', 'all-options-values.yaml')],
  noAutoscaling: ['-f', join(CHART, 'ci', 'no-autoscaling-values.yaml')],
};

interface Container {
  image: string;
  command: string[];
  securityContext: unknown;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { limits: { memory: string } };
}
interface PodSpec {
  containers: Container[];
  securityContext: unknown;
}
type Manifest = { kind: string; metadata: { name: string }; spec?: Record<string, unknown>; [k: string]: unknown };

function tool(name: string): string {
  const path = join(BIN, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: ./dev setup builds helm and kubeconform (tools/go-tools/setup.sh)`);
  }
  return path;
}

function run(
  command: string,
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the Helm chart', () => {
  let helm: string;
  let kubeconform: string;
  let schemas: string;

  beforeAll(() => {
    helm = tool('helm');
    kubeconform = tool('kubeconform');
    schemas = ensureKubeSchemas(LOCAL);
  });

  const template = (values: string[], extra: string[] = []) =>
    run(helm, ['template', 'lf-test', CHART, ...values, ...extra]);
  const render = (values: string[]): Manifest[] => {
    const r = template(values);
    if (r.status !== 0) throw new Error(r.stderr);
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as Manifest | null)
      .filter((m): m is Manifest => m !== null);
  };
  const validate = (yaml: string) =>
    run(
      kubeconform,
      ['-strict', '-summary', '-schema-location', join(schemas, '{{ .ResourceKind }}{{ .KindSuffix }}.json'), '-'],
      yaml,
    );

  it.each(Object.entries(VALUES))('lints strictly with the %s values', (_name, values) => {
    const r = run(helm, ['lint', '--strict', CHART, ...values]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('0 chart(s) failed');
  });

  it.each(Object.entries(VALUES))(
    'renders the %s values into manifests kubeconform -strict accepts',
    (_name, values) => {
      const r = template(values);
      expect(r.stderr).toBe('');
      const v = validate(r.stdout);
      expect(v.stdout).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
      expect(v.status).toBe(0);
      expect(Number(/Valid: (\d+)/.exec(v.stdout)?.[1])).toBe(parseAllDocuments(r.stdout).length);
    },
  );

  it('is validated by strict schemas: a misspelled field of a Deployment or a ScaledObject fails', () => {
    const { stdout } = template(VALUES.default);
    const bad = stdout
      .replace('revisionHistoryLimit: 5', 'revisionHistoryLimit: 5\n  replica: 3')
      .replace('pollingInterval: 15', 'pollingInterval: 15\n  pollInterval: 15');
    const v = validate(bad);
    expect(v.status).not.toBe(0);
    expect(v.stdout).toContain("additional properties 'replica' not allowed");
    expect(v.stdout).toContain("additional properties 'pollInterval' not allowed");
  });

  it('runs every service from the one image, non-root and read-only, probed on /healthz and /readyz', () => {
    const deployments = render(VALUES.default).filter((m) => m.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ['ingest', 'router', ...SINK_SERVICES.map((s) => s.name)].map((n) => `lf-test-leadflow-${n}`).sort(),
    );
    for (const d of deployments) {
      const pod = (d.spec as { template: { spec: PodSpec } }).template.spec;
      const c = pod.containers[0] as Container;
      const name = d.metadata.name.replace('lf-test-leadflow-', '');
      expect(c.image).toBe('leadflow:0.1.0');
      expect(c.command).toEqual(['node', `dist/apps/${name}/main.js`]);
      expect(existsSync(join(ROOT, 'apps', name, 'src', 'main.ts'))).toBe(true);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
      expect(c.resources.limits.memory).toBe('256Mi');
    }
  });

  it('scales each sink and the router with KEDA on its group lag, no higher than the partitions, ingest on CPU', () => {
    const manifests = render(VALUES.default);
    const scaled = manifests.filter((m) => m.kind === 'ScaledObject');
    const triggers = Object.fromEntries(
      scaled.map((s) => {
        const spec = s.spec as {
          maxReplicaCount: number;
          minReplicaCount: number;
          triggers: { type: string; metadata: Record<string, string> }[];
        };
        expect(spec.minReplicaCount).toBe(1);
        expect(spec.maxReplicaCount).toBeLessThanOrEqual(6);
        expect(spec.triggers[0]?.type).toBe('kafka');
        return [s.metadata.name.replace('lf-test-leadflow-', ''), spec.triggers[0]?.metadata];
      }),
    );
    expect(triggers['router']).toMatchObject({
      consumerGroup: 'leadflow-router',
      topic: Topics.ingested,
      allowIdleConsumers: 'false',
    });
    for (const s of SINK_SERVICES) {
      expect(triggers[s.name]).toMatchObject({ consumerGroup: `leadflow-${s.name}`, allowIdleConsumers: 'false' });
      expect(Number(triggers[s.name]?.['lagThreshold'])).toBeGreaterThan(0);
      expect(triggers[s.name]).toHaveProperty('activationLagThreshold');
    }
    // The autoscalers own the replica counts; the HPA scales ingest.
    expect(manifests.filter((m) => m.kind === 'Deployment').every((d) => !('replicas' in (d.spec ?? {})))).toBe(true);
    expect(manifests.find((m) => m.kind === 'HorizontalPodAutoscaler')?.spec).toMatchObject({
      scaleTargetRef: { name: 'lf-test-leadflow-ingest' },
      metrics: [{ resource: { name: 'cpu' } }],
    });
    // Without KEDA and the HPA, fixed counts.
    const fixed = render(VALUES.noAutoscaling).filter((m) => m.kind === 'Deployment');
    expect(fixed.every((d) => typeof d.spec?.['replicas'] === 'number')).toBe(true);
  });

  it('refuses a maxReplicaCount above the route topic partitions, and a floor of zero', () => {
    const high = template(VALUES.default, ['--set', 'sinks.marketo-sink.autoscaling.maxReplicaCount=7']);
    expect(high.status).not.toBe(0);
    expect(high.stderr).toContain(
      'marketo-sink.autoscaling.maxReplicaCount (7) is above the partitions of leads.route.marketo (6)',
    );
    const zero = template(VALUES.default, ['--set', 'router.autoscaling.minReplicaCount=0']);
    expect(zero.stderr).toContain('router.autoscaling.minReplicaCount must be at least 1');
  });

  it('takes credentials from the existing Secret by default, or one it creates; topics from a Job with the values', () => {
    const byDefault = render(VALUES.default);
    expect(byDefault.some((m) => m.kind === 'Secret')).toBe(false);
    const ingest = byDefault.find((m) => m.metadata.name === 'lf-test-leadflow-ingest' && m.kind === 'Deployment');
    expect(JSON.stringify(ingest)).toContain('"secretKeyRef":{"name":"leadflow","key":"LEADFLOW_SECRET_KEYS"}');
    const all = render(VALUES.allOptions);
    expect(all.find((m) => m.kind === 'Secret')?.metadata.name).toBe('lf');
    const job = all.find((m) => m.kind === 'Job');
    expect(JSON.stringify(job)).toContain('{"name":"LEADFLOW_TOPICS_ROUTE_PARTITIONS","value":"12"}');
    expect(
      all.filter((m) => m.kind === 'ConfigMap').every((m) => !JSON.stringify(m).includes('LEADFLOW_SECRET_KEYS')),
    ).toBe(true);
  });

  it("reaches a secured Kafka as each service's own principal, the scalers through a TriggerAuthentication", () => {
    const all = render(VALUES.allOptions);
    const marketo = all.find((m) => m.kind === 'Deployment' && m.metadata.name === 'lf-marketo-sink');
    const text = JSON.stringify(marketo);
    expect(text).toContain('{"name":"KAFKA_SECURITY_PROTOCOL","value":"SASL_SSL"}');
    expect(text).toContain('{"key":"marketo-sink-username","path":"username"}');
    expect(text).toContain('{"name":"KAFKA_SSL_CA_FILE","value":"/etc/leadflow/kafka-ca/ca.crt"}');
    expect(JSON.stringify(all.find((m) => m.kind === 'Job'))).toContain('{"key":"topics-password","path":"password"}');
    const scaled = all.find((m) => m.kind === 'ScaledObject')?.spec as {
      triggers: { metadata: Record<string, string>; authenticationRef: { name: string } }[];
    };
    expect(scaled.triggers[0]?.metadata).toMatchObject({ sasl: 'scram_sha512', tls: 'enable' });
    expect(scaled.triggers[0]?.authenticationRef).toEqual({ name: 'lf-kafka' });
    expect(JSON.stringify(all.find((m) => m.kind === 'TriggerAuthentication'))).toContain('"key":"keda-password"');
    const plain = render(VALUES.default);
    expect(plain.some((m) => m.kind === 'TriggerAuthentication' || JSON.stringify(m).includes('KAFKA_SASL'))).toBe(
      false,
    );
  });

  it('explains every setting of values.yaml with a comment', () => {
    expect(undocumentedValues(readFileSync(join(CHART, 'values.yaml'), 'utf8'))).toEqual([]);
    expect(undocumentedValues('# a\na: 1\nb:\n  c: 2\n')).toEqual(['b.c']);
  });
});
