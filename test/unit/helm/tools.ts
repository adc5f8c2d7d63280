/**
 * Helpers of test/unit/helm.test.ts: find helm and kubernetes-validate, render the chart with
 * `helm template`, parse the manifests with the `yaml` package, validate them against the
 * Kubernetes JSON schemas. A missing tool is an error (the tests fail, never skip): .ci/run
 * installs both (scripts/ci/install-helm-tools.sh).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const ROOT = resolve(__dirname, '../../..');
export const CHART = join(ROOT, 'deploy/helm/algorithmia-insights');
/** The Kubernetes version the manifests are rendered for and validated against (kubernetes-validate ships its schemas). */
export const KUBE_VERSION = '1.37.0';
export const RELEASE = 'rel';
export const NAMESPACE = 'insights';

/** Kinds that are CRDs: kubernetes-validate has no schema for them; the tests check them in TypeScript. */
export const CRD_API_GROUPS = ['keda.sh/'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };

/** Looks for an executable on PATH, then in the given directories. */
export function findTool(name: string, extraDirs: string[], installHint: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} is not installed (looked on PATH and in ${extraDirs.join(', ')}): ${installHint}`);
}

function goBinDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.GOBIN) dirs.push(process.env.GOBIN);
  if (process.env.GOPATH) dirs.push(...process.env.GOPATH.split(delimiter).map((p) => join(p, 'bin')));
  dirs.push(join(homedir(), 'go', 'bin'));
  return dirs;
}

let helmPath: string | undefined;
export function helmBin(): string {
  helmPath ??= findTool('helm', goBinDirs(), 'run `bash scripts/ci/install-helm-tools.sh` (go install helm.sh/helm/v3/cmd/helm)');
  return helmPath;
}

/** Where python3's pip puts console scripts (not always on PATH, e.g. under pyenv before a rehash). */
function pythonScriptDirs(): string[] {
  const r = spawnSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' });
  return r.status === 0 ? [r.stdout.trim()] : [];
}

let kvPath: string | undefined;
export function kubernetesValidateBin(): string {
  kvPath ??= findTool('kubernetes-validate', [...pythonScriptDirs(), join(homedir(), '.local', 'bin')], 'run `bash scripts/ci/install-helm-tools.sh` (pip install kubernetes-validate)');
  return kvPath;
}

export function run(bin: string, args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), 'helm-test-cache'), HELM_CONFIG_HOME: join(tmpdir(), 'helm-test-config'), HELM_DATA_HOME: join(tmpdir(), 'helm-test-data') } });
  if (r.error) throw r.error;
  return r;
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `helm template` arguments for values files of the chart's ci/ folder and inline values. */
function templateArgs(files: string[], values: unknown[], dir: string): string[] {
  const args = ['template', RELEASE, CHART, '--namespace', NAMESPACE, '--kube-version', KUBE_VERSION];
  for (const f of files) args.push('-f', join(CHART, f));
  values.forEach((v, i) => {
    const p = join(dir, `values-${i}.yaml`);
    writeFileSync(p, stringify(v));
    args.push('-f', p);
  });
  return args;
}

/** Runs `helm template`; returns the exit status, the output and the parsed manifests. */
export function helmTemplate(files: string[] = [], ...values: unknown[]): { status: number | null; stdout: string; stderr: string; manifests: Manifest[] } {
  const { dir, cleanup } = tempDir('helm-values-');
  try {
    const r = run(helmBin(), templateArgs(files, values, dir));
    const manifests: Manifest[] = [];
    if (r.status === 0) {
      for (const doc of parseAllDocuments(r.stdout)) {
        if (doc.errors.length > 0) throw new Error(`helm template printed invalid YAML: ${doc.errors[0].message}`);
        const m = doc.toJS() as Manifest | null;
        if (m) manifests.push(m);
      }
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, manifests };
  } finally {
    cleanup();
  }
}

/** Renders and fails the test with helm's message when the render fails. */
export function render(files: string[] = [], ...values: unknown[]): Manifest[] {
  const r = helmTemplate(files, ...values);
  if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
  return r.manifests;
}

/** Renders values that must make the chart fail; returns helm's error output. */
export function renderFailure(files: string[] = [], ...values: unknown[]): string {
  const r = helmTemplate(files, ...values);
  if (r.status === 0) throw new Error('helm template succeeded, but the values should have made it fail');
  return r.stderr;
}

export const isCrd = (m: Manifest): boolean => CRD_API_GROUPS.some((g) => m.apiVersion.startsWith(g));

/**
 * Validates manifests with kubernetes-validate in strict mode (unknown fields are errors)
 * against KUBE_VERSION. CRD kinds must have been filtered out by the caller.
 */
export function kubernetesValidate(manifests: Manifest[], label: string): { status: number | null; output: string } {
  const { dir, cleanup } = tempDir('kubernetes-validate-');
  try {
    const file = join(dir, `${label}.yaml`);
    writeFileSync(file, manifests.map((m) => stringify(m)).join('---\n'));
    const r = run(kubernetesValidateBin(), ['--strict', '--kubernetes-version', KUBE_VERSION, file]);
    return { status: r.status, output: (r.stdout + r.stderr).split(dir + '/').join('') };
  } finally {
    cleanup();
  }
}

export function find(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

export const findAll = (manifests: Manifest[], kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

/**
 * Renders templates/NOTES.txt (which `helm template` leaves out, and `helm install --dry-run`
 * renders only with a cluster): a copy of the chart wraps it in a ConfigMap.
 */
export function renderNotes(...values: unknown[]): string {
  const { dir, cleanup } = tempDir('helm-notes-');
  try {
    const chart = join(dir, 'chart');
    cpSync(CHART, chart, { recursive: true });
    const notes = readFileSync(join(chart, 'templates', 'NOTES.txt'), 'utf8');
    rmSync(join(chart, 'templates', 'NOTES.txt'));
    writeFileSync(join(chart, 'templates', '_notes.tpl'), `{{- define "test.notes" -}}\n${notes}\n{{- end -}}\n`);
    writeFileSync(join(chart, 'templates', 'test-notes.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n    {{- include "test.notes" . | nindent 4 }}\n');
    const args = ['template', RELEASE, chart, '--namespace', NAMESPACE, '--kube-version', KUBE_VERSION, '--show-only', 'templates/test-notes.yaml'];
    values.forEach((v, i) => {
      const p = join(dir, `values-${i}.yaml`);
      writeFileSync(p, stringify(v));
      args.push('-f', p);
    });
    const r = run(helmBin(), args);
    if (r.status !== 0) throw new Error(`NOTES.txt did not render: ${r.stderr}`);
    const m = parseAllDocuments(r.stdout)[0].toJS() as Manifest;
    return m.data.notes as string;
  } finally {
    cleanup();
  }
}
