/**
 * `algorithmia-insights status [-c FILE] [--json]`: asks the process running FILE and prints its
 * answer. The config is read only for `init_config.status_socket_dir`, not validated: `status`
 * must work from a shell that lacks the service's secrets (password_env) and environment.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { askStatus } from './client';
import { EXIT_NO_PROCESS, exitCodeOf, renderNoProcess, renderStatus } from './render';

/** Exit 2 (bad command line or config file) when the file cannot be read. */
export const EXIT_BAD_CONFIG = 2;

/** `init_config.status_socket_dir` as written; undefined when unset or the file does not parse. */
export function configuredSocketDir(text: string): string | undefined {
  try {
    const doc = parse(text) as { init_config?: { status_socket_dir?: unknown } } | null;
    const dir = doc?.init_config?.status_socket_dir;
    return typeof dir === 'string' && dir.length > 0 ? dir : undefined;
  } catch {
    return undefined; // the running process read some other version of it: look in the default places
  }
}

export async function statusCommand(configFile: string, json: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (e) {
    err.write(`Cannot read the config file ${configFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return EXIT_BAD_CONFIG;
  }
  const result = await askStatus(configFile, configuredSocketDir(text));
  if (!result.ok) {
    if (json) out.write(`${JSON.stringify({ error: 'no process answered', config_file: configFile, looked_at: result.attempts })}\n`);
    else err.write(renderNoProcess(configFile, result.attempts));
    return EXIT_NO_PROCESS;
  }
  out.write(json ? `${JSON.stringify(result.reply, null, 2)}\n` : renderStatus(result.reply, result.path));
  return exitCodeOf(result.reply);
}
