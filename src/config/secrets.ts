/**
 * Secrets and TLS files, read once at load. A secret is given one of three ways: inline
 * (`password`), by environment variable (`password_env: VAR`) or by file (`password_file: PATH`).
 * Every message names the config key and never holds a secret value or file contents.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Issues } from './issues';
import type { RawInstance } from './schema';
import type { TlsFiles } from './resolved';

/**
 * A value, or a problem (SECRET_UNAVAILABLE) to report against `path`; `unsetEnv` marks a `*_env`
 * variable that is not set (or empty) here, which validate defers to the service's environment.
 */
export type Read = { value: string } | { issue: string; unsetEnv?: true };

/** Relative paths in the config are relative to the config file's folder. */
export function resolveConfigPath(configFile: string, p: string): string {
  return resolve(dirname(resolve(configFile)), p);
}

/** Node's `ENOENT: no such file or directory, open '/x'` -> `ENOENT: no such file or directory`. */
function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const first = String(e?.message ?? err).split(',')[0];
  return first || String(e?.code ?? 'unknown error');
}

export function readSecretEnv(env: NodeJS.ProcessEnv, keyPath: string, name: string): Read {
  const v = env[name];
  if (v === undefined) return { issue: `${keyPath}: environment variable ${name} is not set`, unsetEnv: true };
  if (v === '') return { issue: `${keyPath}: environment variable ${name} is empty`, unsetEnv: true };
  return { value: v };
}

/** Reads a file named in the config (relative to the config file's folder). */
function readConfigFile(configFile: string, keyPath: string, file: string): { abs: string; text?: string; issue?: string } {
  const abs = resolveConfigPath(configFile, file);
  try {
    return { abs, text: readFileSync(abs, 'utf8') };
  } catch (err) {
    return { abs, issue: `${keyPath}: cannot read ${abs} (${ioReason(err)})` };
  }
}

/** Reads a secret file; one trailing newline (LF or CRLF) is ignored. */
export function readSecretFile(configFile: string, keyPath: string, file: string): Read {
  const { abs, text, issue } = readConfigFile(configFile, keyPath, file);
  if (text === undefined) return { issue: issue as string };
  const value = text.replace(/\r?\n$/, '');
  if (value === '') return { issue: `${keyPath}: ${abs} is empty` };
  return { value };
}

/** Reads a PEM file (CA, certificate or key); its contents must hold a `-----BEGIN` block. */
export function readPemFile(configFile: string, keyPath: string, file: string): Read {
  const { abs, text, issue } = readConfigFile(configFile, keyPath, file);
  if (text === undefined) return { issue: issue as string };
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) return { issue: `${keyPath}: ${abs} is not a PEM file (no -----BEGIN line)` };
  return { value: text };
}

/** Which of `<base>`, `<base>_env`, `<base>_file` are set in `section` (the rules allow one). */
export function setSecretKeys(section: Record<string, unknown>, base: string): string[] {
  return [base, `${base}_env`, `${base}_file`].filter((k) => section[k] !== undefined);
}

/**
 * Resolves the trio `<base>` / `<base>_env` / `<base>_file` of `section` (already checked to hold
 * at most one). Returns undefined when none is set.
 */
export function resolveSecretTrio(
  section: Record<string, unknown>,
  base: string,
  sectionPath: string,
  configFile: string,
  env: NodeJS.ProcessEnv,
): Read | undefined {
  const inline = section[base];
  if (typeof inline === 'string') return { value: inline };
  const envName = section[`${base}_env`];
  if (typeof envName === 'string') return readSecretEnv(env, `${sectionPath}.${base}_env`, envName);
  const file = section[`${base}_file`];
  if (typeof file === 'string') return readSecretFile(configFile, `${sectionPath}.${base}_file`, file);
  return undefined;
}

const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m;

/**
 * Reads the SASL password and the TLS files of one schema-valid instance. A secret that cannot be
 * read is a SECRET_UNAVAILABLE issue; an encrypted key without a passphrase is a config mistake.
 */
export function readInstanceSecrets(
  i: number,
  inst: RawInstance,
  file: string,
  env: NodeJS.ProcessEnv,
  issues: Issues,
  deferUnsetEnv = false,
): { saslPassword?: string; tlsFiles?: TlsFiles } {
  const P = `instances[${i}]`;
  const out: { saslPassword?: string; tlsFiles?: TlsFiles } = {};
  const take = (r: Read | undefined): string | undefined => {
    if (r === undefined) return undefined;
    if ('issue' in r) {
      if (r.unsetEnv && deferUnsetEnv) return undefined;
      issues.add(i, r.issue, true);
      return undefined;
    }
    return r.value;
  };
  if (inst.sasl) out.saslPassword = take(resolveSecretTrio(inst.sasl, 'password', `${P}.sasl`, file, env));
  if (inst.tls) {
    const t = inst.tls;
    const files: TlsFiles = {};
    if (t.ca_file !== undefined) files.ca = take(readPemFile(file, `${P}.tls.ca_file`, t.ca_file));
    if (t.cert_file !== undefined) files.cert = take(readPemFile(file, `${P}.tls.cert_file`, t.cert_file));
    if (t.key_file !== undefined) files.key = take(readPemFile(file, `${P}.tls.key_file`, t.key_file));
    files.keyPassphrase = take(resolveSecretTrio(t, 'key_passphrase', `${P}.tls`, file, env));
    const passphraseGiven = setSecretKeys(t, 'key_passphrase').length > 0;
    if (files.key !== undefined && !passphraseGiven && ENCRYPTED_KEY.test(files.key)) {
      issues.add(i, `${P}.tls.key_file: the key is encrypted; set key_passphrase_env or key_passphrase_file`);
    }
    for (const k of Object.keys(files) as (keyof TlsFiles)[]) if (files[k] === undefined) delete files[k];
    out.tlsFiles = files;
  }
  if (out.saslPassword === undefined) delete out.saslPassword;
  return out;
}
