/**
 * The Helm chart deploy/helm/algorithmia-insights, tested without a cluster: `helm lint`,
 * `helm template` with the default values and with every option on, the rendered manifests
 * validated against the Kubernetes JSON schemas (kubernetes-validate, strict), and in TypeScript
 * what those schemas cannot see: the KEDA objects (CRDs), the rendered conf.yaml (parsed by the
 * forwarder's own config loader), probes against health_port, the grace period against the
 * shutdown timeout, secrets, replicas under KEDA, the PDB and the DogStatsD switch.
 *
 * helm and kubernetes-validate must be installed (.ci/run does it): a missing tool fails.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';
import {
  CHART,
  CRD_API_GROUPS,
  find,
  findAll,
  helmBin,
  isCrd,
  kubernetesValidate,
  kubernetesValidateBin,
  type Manifest,
  NAMESPACE,
  render,
  renderFailure,
  renderNotes,
  ROOT,
  run,
  tempDir,
} from './helm/tools';

jest.setTimeout(120_000);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const chartYaml = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string; version: string; name: string };
const FULLNAME = 'rel-algorithmia-insights';
const SECRET_DIR = '/var/run/secrets/algorithmia-insights';
const DEFAULT_SHUTDOWN: number = configSchema.properties.init_config.properties.shutdown_timeout_seconds.default;

const ALL = ['ci/all-options-values.yaml'];
const PVC = ['ci/persistence-values.yaml'];

/** UDP, SASL password file, CA, KEDA with the user name from the Secret, two instances. */
const UDP_KEDA = {
  dogstatsd: { mode: 'udp', udp: { port: 8126 } },
  config: {
    init_config: { health_port: 8081 },
    instances: [
      {
        kafka_connect_str: ['a.example.com:9093'],
        topic: 'insights',
        security_protocol: 'SASL_SSL',
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'dd' },
      },
      {
        kafka_connect_str: ['b.example.com:9093'],
        topic: 'insights-eu',
        consumer_group: 'eu-group',
        security_protocol: 'SSL',
        max_message_bytes: 104857600,
      },
    ],
  },
  kafkaAuth: { sasl: { existingSecret: 'sasl-s', passwordKey: 'pw', usernameKey: 'user' }, tls: { existingSecret: 'ca-s', caKey: 'root.pem' } },
  keda: { enabled: true, partitions: 3 },
};

/** Every rendering that the tests look at, by name. */
const SCENARIOS: Record<string, () => Manifest[]> = {
  default: () => render(),
  'all-options (uds, keda, sasl+tls, drift)': () => render(ALL),
  'persistence (pvc, password env)': () => render(PVC),
  'udp + keda + two instances': () => render([], UDP_KEDA),
};

const cache = new Map<string, Manifest[]>();
const manifestsOf = (name: string): Manifest[] => {
  if (!cache.has(name)) cache.set(name, SCENARIOS[name]());
  return cache.get(name) as Manifest[];
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const deploymentOf = (ms: Manifest[]): Json => find(ms, 'Deployment');
const podSpecOf = (ms: Manifest[]): Json => deploymentOf(ms).spec.template.spec;
const containerOf = (ms: Manifest[]): Json => {
  const cs = podSpecOf(ms).containers as Json[];
  expect(cs).toHaveLength(1);
  return cs[0];
};
const confOf = (ms: Manifest[]): Json => parseYaml(find(ms, 'ConfigMap').data['conf.yaml']);
const envOf = (ms: Manifest[]): Record<string, Json> => Object.fromEntries((containerOf(ms).env as Json[]).map((e) => [e.name, e]));

// ---------------------------------------------------------------------------------------------
describe('tools', () => {
  test('helm and kubernetes-validate are installed (a missing tool fails, never skips)', () => {
    expect(run(helmBin(), ['version', '--short']).status).toBe(0);
    expect(run(kubernetesValidateBin(), ['--version']).status).toBe(0);
  });
});

describe('chart metadata', () => {
  test('appVersion is the package version and the default image is the name deploy/Dockerfile builds', () => {
    expect(chartYaml.appVersion).toBe(pkg.version);
    expect(containerOf(manifestsOf('default')).image).toBe(`algorithmia-insights:${pkg.version}`);
    const dockerfile = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`-t algorithmia-insights:${pkg.version} `);
  });

  test.each([[[] as string[]], [ALL], [PVC]])('helm lint --strict passes with %j', (files) => {
    const args = ['lint', '--strict', CHART, '--kube-version', '1.37.0'];
    for (const f of files) args.push('-f', join(CHART, f));
    const r = run(helmBin(), args);
    expect(`${r.stdout}${r.stderr}`).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.status).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Kubernetes schema validation (kubernetes-validate --strict)', () => {
  test('the validator is strict: an unknown field in a Deployment fails', () => {
    const d = structuredClone(deploymentOf(manifestsOf('default')));
    d.spec.template.spec.containers[0].livenessProbe.httpGet.pathh = '/live';
    const r = kubernetesValidate([d], 'broken');
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/pathh/);
  });

  test.each(Object.keys(SCENARIOS))('%s: every non-CRD manifest passes', (name) => {
    const ms = manifestsOf(name);
    const core = ms.filter((m) => !isCrd(m));
    // Only KEDA's CRDs are left out; they are checked below.
    for (const m of ms.filter(isCrd)) expect(CRD_API_GROUPS.some((g) => m.apiVersion.startsWith(g))).toBe(true);
    const r = kubernetesValidate(core, name.replace(/\W+/g, '-'));
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.any(String) });
    const passed = r.output.split('\n').filter((l) => / passed for resource /.test(l));
    expect(passed).toHaveLength(core.length);
    expect(r.output).not.toMatch(/ERROR|Couldn't find schema/);
  });

  test('the kinds rendered', () => {
    const kinds = (name: string): string[] => manifestsOf(name).map((m) => m.kind).sort();
    expect(kinds('default')).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'ServiceAccount']);
    expect(kinds('all-options (uds, keda, sasl+tls, drift)')).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'ScaledObject', 'ServiceAccount', 'TriggerAuthentication']);
    expect(kinds('persistence (pvc, password env)')).toEqual(['ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'ServiceAccount']);
    for (const name of Object.keys(SCENARIOS)) {
      for (const m of manifestsOf(name)) {
        expect(m.metadata.namespace).toBe(NAMESPACE);
        expect(m.metadata.name).toMatch(new RegExp(`^${FULLNAME}(-state)?$`));
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('conf.yaml in the ConfigMap', () => {
  /**
   * Parses the rendered conf.yaml with the forwarder's own loader, in the pod's environment:
   * the container's env (fieldRef status.hostIP and secretKeyRef resolved to stand-ins) and the
   * Secret files at their mount paths (re-rooted in a temporary directory).
   */
  function loadAsThePodWould(ms: Manifest[]): ReturnType<typeof parseConfig> {
    const { dir, cleanup } = tempDir('helm-conf-');
    try {
      mkdirSync(join(dir, 'sasl'));
      mkdirSync(join(dir, 'tls'));
      writeFileSync(join(dir, 'sasl', 'password'), 's3cret\n');
      writeFileSync(join(dir, 'tls', 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      let text = find(ms, 'ConfigMap').data['conf.yaml'] as string;
      // drift is being added to the config schema; until it is there, leave it out of this check.
      const instanceKeys = configSchema.properties.instances.items.properties as Record<string, unknown>;
      if (!('drift' in instanceKeys)) {
        const conf = parseYaml(text);
        for (const inst of conf.instances) delete inst.drift;
        text = JSON.stringify(conf);
      }
      text = text.split(`${SECRET_DIR}/`).join(`${dir}/`);
      const env: NodeJS.ProcessEnv = {};
      for (const e of containerOf(ms).env as Json[]) {
        if (e.value !== undefined) env[e.name] = e.value;
        else if (e.valueFrom?.fieldRef?.fieldPath === 'status.hostIP') env[e.name] = '10.1.2.3';
        else if (e.valueFrom?.secretKeyRef) env[e.name] = 's3cret';
        else throw new Error(`env ${e.name}: unexpected source ${JSON.stringify(e.valueFrom)}`);
      }
      return parseConfig(text, join(dir, 'conf.yaml'), env);
    } finally {
      cleanup();
    }
  }

  test.each(Object.keys(SCENARIOS))('%s: the forwarder accepts it, with the DogStatsD target of the chosen mode', (name) => {
    const ms = manifestsOf(name);
    const cfg = loadAsThePodWould(ms);
    const mode = envOf(ms).DD_DOGSTATSD_SOCKET ? 'uds' : 'udp';
    for (const inst of cfg.instances) {
      if (mode === 'uds') expect(inst.dogstatsd).toMatchObject({ protocol: 'uds', path: '/var/run/datadog/dsd.socket', source: 'env' });
      else expect(inst.dogstatsd).toMatchObject({ protocol: 'udp', host: '10.1.2.3', source: 'env' });
    }
    expect(cfg.init.health_host).toBe('0.0.0.0');
  });

  test.each(Object.keys(SCENARIOS))('%s: the probes and the container port are health_port; health_host is 0.0.0.0', (name) => {
    const ms = manifestsOf(name);
    const conf = confOf(ms);
    const c = containerOf(ms);
    expect(conf.init_config.health_host).toBe('0.0.0.0');
    const port = conf.init_config.health_port;
    expect(Number.isInteger(port) && port > 0).toBe(true);
    const named = Object.fromEntries((c.ports as Json[]).map((p) => [p.name, p.containerPort]));
    const resolvePort = (p: string | number): number => (typeof p === 'number' ? p : named[p]);
    expect(c.livenessProbe.httpGet.path).toBe('/live');
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
    expect(resolvePort(c.livenessProbe.httpGet.port)).toBe(port);
    expect(resolvePort(c.readinessProbe.httpGet.port)).toBe(port);
  });

  test('health_port follows the values; health_host other than 0.0.0.0 and a missing health_port fail', () => {
    expect(confOf(manifestsOf('all-options (uds, keda, sasl+tls, drift)')).init_config.health_port).toBe(9090);
    expect(renderFailure([], { config: { init_config: { health_host: '127.0.0.1' } } })).toMatch(/health_host/);
    expect(renderFailure([], { config: { init_config: { health_port: null } } })).toMatch(/health_port/);
  });

  test('the same keys as conf.yaml.example: init_config and instances only, instance keys from the schema', () => {
    const known = new Set([...Object.keys(configSchema.properties.instances.items.properties), 'drift']);
    for (const name of Object.keys(SCENARIOS)) {
      const conf = confOf(manifestsOf(name));
      expect(Object.keys(conf).sort()).toEqual(['init_config', 'instances']);
      for (const k of Object.keys(conf.init_config)) expect(Object.keys(configSchema.properties.init_config.properties)).toContain(k);
      for (const inst of conf.instances) for (const k of Object.keys(inst)) expect(known.has(k)).toBe(true);
    }
  });

  test('the pod template carries the checksum of the ConfigMap: a config change rolls the pods', () => {
    const ann = (ms: Manifest[]): string => deploymentOf(ms).spec.template.metadata.annotations['checksum/config'];
    const a = ann(render());
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(ann(render())).toBe(a);
    expect(ann(render([], { config: { init_config: { log_level: 'debug' } } }))).not.toBe(a);
    // Values that do not change the ConfigMap do not roll the pods.
    expect(ann(render([], { replicas: 2 }))).toBe(a);
  });
});

// ---------------------------------------------------------------------------------------------
describe('secrets', () => {
  test('no password in any rendered object; no Secret is created', () => {
    for (const name of Object.keys(SCENARIOS)) {
      const ms = manifestsOf(name);
      expect(findAll(ms, 'Secret')).toHaveLength(0);
      const text = JSON.stringify(ms);
      expect(text).not.toMatch(/"password"\s*:/);
      expect(text).not.toMatch(/"key_passphrase"\s*:/);
      expect(text).not.toContain('s3cret');
      for (const e of containerOf(ms).env as Json[]) {
        if (/PASSWORD|PASSPHRASE/.test(e.name)) expect(e.value).toBeUndefined();
      }
    }
  });

  test('a password or passphrase written in values fails the render', () => {
    const withPassword = { config: { instances: [{ kafka_connect_str: ['k:9092'], topic: 't', security_protocol: 'SASL_SSL', sasl: { mechanism: 'PLAIN', username: 'u', password: 'hunter2' } }] } };
    const err = renderFailure([], withPassword);
    expect(err).toMatch(/sasl\.password: never write the password in values/);
    expect(err).not.toContain('hunter2');
    const withPassphrase = { config: { instances: [{ kafka_connect_str: ['k:9092'], topic: 't', security_protocol: 'SSL', tls: { key_passphrase: 'hunter2' } }] } };
    expect(renderFailure([], withPassphrase)).toMatch(/key_passphrase/);
  });

  test('SASL without a Secret fails the render', () => {
    const v = { config: { instances: [{ kafka_connect_str: ['k:9092'], topic: 't', security_protocol: 'SASL_SSL', sasl: { mechanism: 'PLAIN', username: 'u' } }] } };
    expect(renderFailure([], v)).toMatch(/kafkaAuth\.sasl\.existingSecret/);
  });

  test('mountAs file: password_file points at the mounted key of the existing Secret; CA likewise', () => {
    const ms = manifestsOf('all-options (uds, keda, sasl+tls, drift)');
    const inst = confOf(ms).instances[0];
    expect(inst.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'datadog', password_file: `${SECRET_DIR}/sasl/password` });
    expect(inst.tls.ca_file).toBe(`${SECRET_DIR}/tls/ca.pem`);
    const pod = podSpecOf(ms);
    const vol = (n: string): Json => (pod.volumes as Json[]).find((v) => v.name === n);
    const mount = (n: string): Json => (containerOf(ms).volumeMounts as Json[]).find((m) => m.name === n);
    expect(vol('kafka-sasl').secret).toMatchObject({ secretName: 'kafka-sasl', items: [{ key: 'password', path: 'password' }] });
    expect(mount('kafka-sasl')).toMatchObject({ mountPath: `${SECRET_DIR}/sasl`, readOnly: true });
    expect(vol('kafka-tls').secret).toMatchObject({ secretName: 'kafka-ca', items: [{ key: 'ca.crt', path: 'ca.pem' }] });
    expect(mount('kafka-tls')).toMatchObject({ mountPath: `${SECRET_DIR}/tls`, readOnly: true });
    // Readable by the non-root user through fsGroup.
    expect(pod.securityContext.fsGroup).toBe(1000);
    expect(vol('kafka-sasl').secret.defaultMode).toBe(0o440); // written in decimal: YAML 1.1 and 1.2 parsers read 0440 differently;
  });

  test('mountAs env: password_env from a secretKeyRef, no secret volume', () => {
    const ms = manifestsOf('persistence (pvc, password env)');
    expect(confOf(ms).instances[0].sasl.password_env).toBe('KAFKA_PASSWORD');
    expect(envOf(ms).KAFKA_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'kafka-sasl', key: 'password' } });
    expect((podSpecOf(ms).volumes as Json[]).map((v) => v.name)).not.toContain('kafka-sasl');
  });
});

// ---------------------------------------------------------------------------------------------
describe('pod', () => {
  test.each(Object.keys(SCENARIOS))('%s: terminationGracePeriodSeconds is longer than shutdown_timeout_seconds', (name) => {
    const ms = manifestsOf(name);
    const timeout = confOf(ms).init_config.shutdown_timeout_seconds ?? DEFAULT_SHUTDOWN;
    const grace = podSpecOf(ms).terminationGracePeriodSeconds;
    expect(grace).toBeGreaterThanOrEqual(timeout + 5);
  });

  test('grace period = ceil(shutdown_timeout_seconds) + 15 s, from the schema default when unset', () => {
    expect(podSpecOf(manifestsOf('default')).terminationGracePeriodSeconds).toBe(DEFAULT_SHUTDOWN + 15);
    expect(podSpecOf(manifestsOf('all-options (uds, keda, sasl+tls, drift)')).terminationGracePeriodSeconds).toBe(43 + 15);
    const noTimeout = render([], { config: { init_config: { shutdown_timeout_seconds: null } } });
    expect(podSpecOf(noTimeout).terminationGracePeriodSeconds).toBe(DEFAULT_SHUTDOWN + 15);
  });

  test('non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp; /tmp writable', () => {
    for (const name of Object.keys(SCENARIOS)) {
      const ms = manifestsOf(name);
      const pod = podSpecOf(ms);
      const c = containerOf(ms);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect((c.volumeMounts as Json[]).find((m) => m.mountPath === '/tmp')).toBeDefined();
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    // The image's user (deploy/Dockerfile) is the one the chart runs as.
    expect(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8')).toMatch(/^USER 1000:1000$/m);
    expect(find(manifestsOf('default'), 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('resources from the measured memory: requests cpu and memory, a memory limit, no CPU limit', () => {
    const r = containerOf(manifestsOf('default')).resources;
    expect(r.requests).toEqual({ cpu: '250m', memory: '256Mi' });
    expect(r.limits).toEqual({ memory: '384Mi' });
    // The memory request covers the highest peak RSS of the README's Performance table (MiB, as
    // the bench reports VmHWM), and values.yaml's sizing comment quotes that figure.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const perf = readme.slice(readme.indexOf('\n## Performance\n'), readme.indexOf('\n## ', readme.indexOf('\n## Performance\n') + 1));
    const peaks = [...perf.matchAll(/\| ([0-9]+) MB \|$/gm)].map((m) => Number(m[1]));
    expect(peaks.length).toBeGreaterThanOrEqual(4);
    const highest = Math.max(...peaks);
    expect(Number(/^([0-9]+)Mi$/.exec(r.requests.memory)?.[1])).toBeGreaterThanOrEqual(highest);
    expect(readFileSync(join(CHART, 'values.yaml'), 'utf8')).toContain(`-${highest} MiB`);
  });

  test('the forwarder runs its config from the ConfigMap mount (the image entrypoint keeps its node flags)', () => {
    const ms = manifestsOf('default');
    const c = containerOf(ms);
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['run', '-c', '/etc/algorithmia-insights/conf.yaml']);
    const cfg = (c.volumeMounts as Json[]).find((m) => m.name === 'config');
    expect(cfg).toMatchObject({ mountPath: '/etc/algorithmia-insights', readOnly: true });
    expect((podSpecOf(ms).volumes as Json[]).find((v) => v.name === 'config').configMap.name).toBe(find(ms, 'ConfigMap').metadata.name);
  });

  test('unified service tagging: DD_ENV/DD_SERVICE/DD_VERSION and tags.datadoghq.com labels on the Deployment and the pod', () => {
    const ms = manifestsOf('all-options (uds, keda, sasl+tls, drift)');
    const d = deploymentOf(ms);
    const env = envOf(ms);
    const expected = { 'tags.datadoghq.com/env': 'prod', 'tags.datadoghq.com/service': 'insights-forwarder', 'tags.datadoghq.com/version': '1.0.0-rc1' };
    expect(d.metadata.labels).toMatchObject(expected);
    expect(d.spec.template.metadata.labels).toMatchObject(expected);
    expect(env.DD_ENV.value).toBe('prod');
    expect(env.DD_SERVICE.value).toBe('insights-forwarder');
    expect(env.DD_VERSION.value).toBe('1.0.0-rc1');
    expect(env.DD_TAGS.value).toBe('team:ml-platform,region:eu');
    // Defaults: no env label or DD_ENV when datadog.env is empty; version = the image tag.
    const def = manifestsOf('default');
    expect(deploymentOf(def).spec.template.metadata.labels['tags.datadoghq.com/env']).toBeUndefined();
    expect(envOf(def).DD_ENV).toBeUndefined();
    expect(envOf(def).DD_VERSION.value).toBe(pkg.version);
    expect(deploymentOf(def).metadata.labels['tags.datadoghq.com/version']).toBe(pkg.version);
  });

  test('DogStatsD udp: DD_AGENT_HOST from status.hostIP and the port, no hostPath', () => {
    for (const name of ['default', 'udp + keda + two instances']) {
      const ms = manifestsOf(name);
      const env = envOf(ms);
      expect(env.DD_AGENT_HOST.valueFrom).toEqual({ fieldRef: { fieldPath: 'status.hostIP' } });
      expect(env.DD_DOGSTATSD_SOCKET).toBeUndefined();
      expect((podSpecOf(ms).volumes as Json[]).filter((v) => v.hostPath)).toHaveLength(0);
    }
    expect(envOf(manifestsOf('default')).DD_DOGSTATSD_PORT.value).toBe('8125');
    expect(envOf(manifestsOf('udp + keda + two instances')).DD_DOGSTATSD_PORT.value).toBe('8126');
  });

  test('DogStatsD uds: the node directory /var/run/datadog/ mounted read-only, DD_DOGSTATSD_SOCKET at the socket, no DD_AGENT_HOST', () => {
    const ms = manifestsOf('all-options (uds, keda, sasl+tls, drift)');
    const env = envOf(ms);
    expect(env.DD_DOGSTATSD_SOCKET.value).toBe('/var/run/datadog/dsd.socket');
    expect(env.DD_AGENT_HOST).toBeUndefined();
    expect(env.DD_DOGSTATSD_PORT).toBeUndefined();
    const vol = (podSpecOf(ms).volumes as Json[]).find((v) => v.hostPath);
    expect(vol.hostPath.path).toBe('/var/run/datadog/');
    const mount = (containerOf(ms).volumeMounts as Json[]).find((m) => m.name === vol.name);
    expect(mount).toMatchObject({ mountPath: '/var/run/datadog', readOnly: true });
    expect(renderFailure([], { dogstatsd: { mode: 'tcp' } })).toMatch(/dogstatsd\/mode': value must be one of 'udp', 'uds'/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('replicas, PDB, drift state', () => {
  test('replicas is in the Deployment without KEDA and absent under KEDA', () => {
    expect(deploymentOf(manifestsOf('default')).spec.replicas).toBe(1);
    expect(deploymentOf(render([], { replicas: 3 })).spec.replicas).toBe(3);
    expect('replicas' in deploymentOf(manifestsOf('all-options (uds, keda, sasl+tls, drift)')).spec).toBe(false);
    expect('replicas' in deploymentOf(manifestsOf('udp + keda + two instances')).spec).toBe(false);
  });

  test('the PDB never blocks a drain: unhealthyPodEvictionPolicy AlwaysAllow, maxUnavailable 1, selecting the pods', () => {
    for (const name of Object.keys(SCENARIOS)) {
      const ms = manifestsOf(name);
      const pdb = find(ms, 'PodDisruptionBudget');
      expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.minAvailable).toBeUndefined();
      expect(deploymentOf(ms).spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
      expect(pdb.spec.selector.matchLabels).toEqual(deploymentOf(ms).spec.selector.matchLabels);
    }
    expect(findAll(render([], { podDisruptionBudget: { enabled: false } }), 'PodDisruptionBudget')).toHaveLength(0);
  });

  test('drift: an emptyDir at /var/lib/algorithmia-insights by default, and every instance its own drift.state_file in it', () => {
    const def = manifestsOf('default');
    const stateVol = (ms: Manifest[]): Json => (podSpecOf(ms).volumes as Json[]).find((v) => v.name === 'state');
    const stateMount = (ms: Manifest[]): string => (containerOf(ms).volumeMounts as Json[]).find((m) => m.name === 'state').mountPath;
    expect(stateVol(def).emptyDir).toBeDefined();
    expect(stateMount(def)).toBe('/var/lib/algorithmia-insights');
    // Without any drift section in the values (the default), the state file is in the mounted volume.
    expect(confOf(def).instances[0].drift).toEqual({ state_file: '/var/lib/algorithmia-insights/drift-0.json' });
    const all = manifestsOf('all-options (uds, keda, sasl+tls, drift)');
    expect(confOf(all).instances[0].drift).toEqual({ enabled: true, state_file: '/var/lib/algorithmia-insights/drift-0.json' });
    // Two instances, neither with a drift section: one file each, both in the volume.
    const two = manifestsOf('udp + keda + two instances');
    expect(confOf(two).instances.map((i: Json) => i.drift)).toEqual([
      { state_file: '/var/lib/algorithmia-insights/drift-0.json' },
      { state_file: '/var/lib/algorithmia-insights/drift-1.json' },
    ]);
    // Other drift settings are kept beside it, and the file follows state.mountPath.
    const moved = render([], { state: { mountPath: '/state/' }, config: { instances: [{ kafka_connect_str: ['k:9092'], topic: 't', drift: { enabled: false, min_samples: 100 } }] } });
    expect(stateMount(moved)).toBe('/state/');
    expect(confOf(moved).instances[0].drift).toEqual({ enabled: false, min_samples: 100, state_file: '/state/drift-0.json' });
    // A state_file of the user's is kept.
    expect(confOf(manifestsOf('persistence (pvc, password env)')).instances[0].drift.state_file).toBe('/var/lib/algorithmia-insights/my-drift.json');
  });

  test('persistence: without a drift section, the state file is on the PersistentVolumeClaim', () => {
    const ms = render([], {
      persistence: { enabled: true },
      config: { instances: [{ kafka_connect_str: ['k:9092'], topic: 't' }] },
    });
    const vol = (podSpecOf(ms).volumes as Json[]).find((v) => v.name === 'state');
    expect(vol.persistentVolumeClaim.claimName).toBe(find(ms, 'PersistentVolumeClaim').metadata.name);
    const mount = (containerOf(ms).volumeMounts as Json[]).find((m) => m.name === 'state').mountPath as string;
    const stateFile = confOf(ms).instances[0].drift.state_file as string;
    expect(stateFile).toBe('/var/lib/algorithmia-insights/drift-0.json');
    expect(stateFile.startsWith(`${mount.replace(/\/$/, '')}/`)).toBe(true);
  });

  test('persistence: a PVC mounted as the state volume, Recreate strategy', () => {
    const ms = manifestsOf('persistence (pvc, password env)');
    const pvc = find(ms, 'PersistentVolumeClaim');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '2Gi' } } });
    const vol = (podSpecOf(ms).volumes as Json[]).find((v) => v.name === 'state');
    expect(vol.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    expect(deploymentOf(ms).spec.strategy).toEqual({ type: 'Recreate' });
    const existing = render(PVC, { persistence: { existingClaim: 'my-claim' } });
    expect(findAll(existing, 'PersistentVolumeClaim')).toHaveLength(0);
    expect((podSpecOf(existing).volumes as Json[]).find((v) => v.name === 'state').persistentVolumeClaim.claimName).toBe('my-claim');
  });

  test('persistence fails the render with more than one replica or with KEDA', () => {
    expect(renderFailure(PVC, { replicas: 2 })).toMatch(/persistence\.enabled needs replicas: 1/);
    expect(renderFailure(PVC, { keda: { enabled: true, partitions: 6 } })).toMatch(/persistence\.enabled needs a single pod/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('KEDA', () => {
  test('ScaledObject: targets the Deployment, one kafka trigger with the instance\'s servers, group and topic, SASL and TLS', () => {
    const ms = manifestsOf('all-options (uds, keda, sasl+tls, drift)');
    const so = find(ms, 'ScaledObject');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentOf(ms).metadata.name });
    expect(so.spec.minReplicaCount).toBe(2);
    expect(so.spec.maxReplicaCount).toBe(6);
    expect(so.spec.triggers).toHaveLength(1);
    const t = so.spec.triggers[0];
    expect(t.type).toBe('kafka');
    const inst = confOf(ms).instances[0];
    expect(t.metadata).toEqual({
      bootstrapServers: inst.kafka_connect_str.join(','),
      consumerGroup: inst.consumer_group,
      topic: inst.topic,
      lagThreshold: '5000',
      activationLagThreshold: '0',
      offsetResetPolicy: 'earliest',
      sasl: 'scram_sha512',
      tls: 'enable',
    });
    // KEDA's metadata values are strings.
    for (const v of Object.values(t.metadata)) expect(typeof v).toBe('string');
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  test('TriggerAuthentication: the same existing Secrets as the pod; the user name from the container env', () => {
    const ms = manifestsOf('all-options (uds, keda, sasl+tls, drift)');
    const so = find(ms, 'ScaledObject');
    const ta = find(ms, 'TriggerAuthentication');
    expect(ta.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec.triggers[0].authenticationRef).toEqual({ name: ta.metadata.name });
    const pod = podSpecOf(ms);
    const secretOf = (vol: string): Json => (pod.volumes as Json[]).find((v) => v.name === vol).secret;
    expect(ta.spec.secretTargetRef).toEqual([
      { parameter: 'password', name: secretOf('kafka-sasl').secretName, key: secretOf('kafka-sasl').items[0].key },
      { parameter: 'ca', name: secretOf('kafka-tls').secretName, key: secretOf('kafka-tls').items[0].key },
    ]);
    const c = containerOf(ms);
    expect(ta.spec.env).toEqual([{ parameter: 'username', name: 'KAFKA_SASL_USERNAME', containerName: c.name }]);
    expect(envOf(ms).KAFKA_SASL_USERNAME.value).toBe(confOf(ms).instances[0].sasl.username);
  });

  test('two instances: one trigger each; user name from the Secret\'s usernameKey; maxReplicaCount defaults to partitions', () => {
    const ms = manifestsOf('udp + keda + two instances');
    const so = find(ms, 'ScaledObject');
    expect(so.spec.maxReplicaCount).toBe(3);
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.triggers.map((t: Json) => t.metadata)).toEqual([
      expect.objectContaining({ bootstrapServers: 'a.example.com:9093', consumerGroup: 'algorithmia-insights-datadog', topic: 'insights', sasl: 'scram_sha256', tls: 'enable', offsetResetPolicy: 'latest' }),
      expect.objectContaining({ bootstrapServers: 'b.example.com:9093', consumerGroup: 'eu-group', topic: 'insights-eu', tls: 'enable' }),
    ]);
    expect(so.spec.triggers[1].metadata.sasl).toBeUndefined();
    const ta = find(ms, 'TriggerAuthentication');
    expect(ta.spec.secretTargetRef).toContainEqual({ parameter: 'username', name: 'sasl-s', key: 'user' });
    expect(ta.spec.env).toBeUndefined();
    expect(envOf(ms).KAFKA_SASL_USERNAME).toBeUndefined();
    // The large integer reaches conf.yaml as an integer.
    expect(confOf(ms).instances[1].max_message_bytes).toBe(104857600);
  });

  test('no Secrets, no TriggerAuthentication and no authenticationRef', () => {
    const ms = render([], { keda: { enabled: true, partitions: 6 } });
    expect(findAll(ms, 'TriggerAuthentication')).toHaveLength(0);
    expect(find(ms, 'ScaledObject').spec.triggers[0].authenticationRef).toBeUndefined();
    expect(find(ms, 'ScaledObject').spec.maxReplicaCount).toBe(6);
  });

  test('maxReplicaCount above the partitions, or partitions unset, fails the render', () => {
    expect(renderFailure(ALL, { keda: { partitions: 4, maxReplicaCount: 6 } })).toMatch(/keda\.maxReplicaCount \(6\) is higher than keda\.partitions \(4\)/);
    expect(renderFailure([], { keda: { enabled: true } })).toMatch(/keda\.partitions must be set/);
    expect(renderFailure([], { keda: { enabled: true, partitions: 2, minReplicaCount: 3 } })).toMatch(/minReplicaCount/);
    // Equal is fine.
    expect(find(render(ALL, { keda: { partitions: 6, maxReplicaCount: 6 } }), 'ScaledObject').spec.maxReplicaCount).toBe(6);
  });
});

describe('values.schema.json', () => {
  test('a misspelt or mistyped value fails the render with the key named', () => {
    expect(renderFailure([], { keda: { partitons: 3 } })).toMatch(/additional properties 'partitons' not allowed/);
    expect(renderFailure([], { replicas: 'two' })).toMatch(/replicas/);
    expect(renderFailure([], { kafkaAuth: { sasl: { mountAs: 'volume' } } })).toMatch(/mountAs/);
  });
});

describe('NOTES.txt', () => {
  test('renders for UDP and for UDS with KEDA, with commands for this release', () => {
    const udp = renderNotes();
    expect(udp).toContain(`kubectl -n ${NAMESPACE} rollout status deployment/${FULLNAME}`);
    expect(udp).toContain('over UDP');
    expect(udp).toContain('Pods: 1.');
    const all = renderNotes(parseYaml(readFileSync(join(CHART, ALL[0]), 'utf8')));
    expect(all).toContain('/var/run/datadog/dsd.socket');
    expect(all).toContain('from 2 to 6 pods');
  });
});
