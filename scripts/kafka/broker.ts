/**
 * A real single-node Apache Kafka broker (KRaft, combined broker+controller) on 127.0.0.1,
 * assembled from Maven Central jars. Used by the integration tests, the demo and the benchmark.
 *
 * The JVM runs under supervise.sh, whose stdin is a pipe from this process: if this process
 * dies for any reason, the pipe closes and the broker is stopped and its temp dir removed.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const execFileAsync = promisify(execFile);

/** The Kafka versions the integration tests run against (see README: tested versions). */
export const TESTED_KAFKA_VERSIONS = ['3.9.2', '4.4.0'] as const;

/**
 * The version a broker runs when neither the caller nor AIK_KAFKA_VERSION names one, and the
 * classpath `ensureKafkaLibs()` returns without an argument (its Java client tools, e.g.
 * `kafka.tools.ConsoleProducer`, which 4.x moved to the kafka-tools artifact, work against
 * every tested broker version).
 */
export const DEFAULT_KAFKA_VERSION = '3.9.2';

/** Environment variable naming the broker version (`npm test` runs the integration suite once per version). */
export const KAFKA_VERSION_ENV = 'AIK_KAFKA_VERSION';

/** The broker version to run: `AIK_KAFKA_VERSION` when set, else DEFAULT_KAFKA_VERSION. */
export function brokerVersion(): string {
  return checkVersion(process.env[KAFKA_VERSION_ENV]?.trim() || DEFAULT_KAFKA_VERSION);
}

function checkVersion(version: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`Kafka version must look like 3.9.2, got '${version}'`);
  return version;
}

/** 3 or 4: KRaft works on both; they differ in logging backend and a few config keys. */
export function kafkaMajor(version: string): number {
  return Number(checkVersion(version).split('.')[0]);
}

export interface ScramUser {
  username: string;
  password: string;
}

export interface BrokerOptions {
  /** Kafka version (e.g. '4.4.0'); default: brokerVersion(), i.e. AIK_KAFKA_VERSION or DEFAULT_KAFKA_VERSION. */
  version?: string;
  /** Adds a SASL_SSL listener with SCRAM-SHA-256/512 users and a generated CA. */
  sasl?: { users: ScramUser[] };
  /** Extra server.properties entries (override the defaults below). */
  properties?: Record<string, string | number>;
  /** Echo broker stdout/stderr (debugging). */
  verbose?: boolean;
  startTimeoutMs?: number;
}

export interface TlsMaterial {
  caPemPath: string;
}

const SCRIPT_DIR = resolve(__dirname.replace(/[\\/]dist[\\/]scripts[\\/]kafka$/, '/scripts/kafka'));

function cacheRoot(): string {
  return process.env.ALGORITHMIA_INSIGHTS_CACHE ?? join(homedir(), '.cache', 'algorithmia-insights');
}

/**
 * Resolves a version's classpath (its own directory: versions never share jars), running Maven
 * once per version and pom.xml content (cached afterwards; editing the pom re-assembles).
 */
export async function ensureKafkaLibs(version: string = DEFAULT_KAFKA_VERSION): Promise<string> {
  const major = kafkaMajor(version);
  const pom = join(SCRIPT_DIR, 'pom.xml');
  const pomHash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 8);
  const libDir = join(cacheRoot(), `kafka-${version}-${pomHash}`, 'lib');
  if (existsSync(join(libDir, '.complete'))) return libDir;
  const staging = `${libDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await execFileAsync(
      'mvn',
      ['-q', '-B', '-f', pom, 'package', '-P', major >= 4 ? 'kafka-4' : 'kafka-3', `-Dkafka.version=${version}`, `-Dkafka.lib.dir=${staging}`],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`Maven could not assemble Kafka ${version}: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  if (readdirSync(staging).filter((f) => f.endsWith('.jar')).length === 0) {
    throw new Error(`Maven produced no jars for Kafka ${version} in ${staging}`);
  }
  writeFileSync(join(staging, '.complete'), new Date().toISOString());
  // A complete classpath is never replaced: a broker of another test run may be using it.
  if (!existsSync(join(libDir, '.complete'))) rmSync(libDir, { recursive: true, force: true });
  mkdirSync(join(libDir, '..'), { recursive: true });
  try {
    renameSync(staging, libDir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another process assembled the same classpath meanwhile: use its copy.
    if (!existsSync(join(libDir, '.complete'))) throw err;
  }
  return libDir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** A Kafka cluster id: 16 random bytes, base64url, not starting with '-' (the CLI would read an option). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  try {
    await execFileAsync(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Self-signed CA and a server certificate for 127.0.0.1/localhost, as a PKCS12 keystore. */
async function makeTls(dir: string, storePassword: string): Promise<{ caPem: string; keystore: string }> {
  const o = (f: string) => join(dir, f);
  await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', o('ca.key')]);
  await run('openssl', ['req', '-x509', '-new', '-key', o('ca.key'), '-sha256', '-days', '2', '-subj', '/CN=test-ca', '-out', o('ca.pem')]);
  await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', o('server.key')]);
  await run('openssl', ['req', '-new', '-key', o('server.key'), '-subj', '/CN=localhost', '-out', o('server.csr')]);
  writeFileSync(o('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509', '-req', '-in', o('server.csr'), '-CA', o('ca.pem'), '-CAkey', o('ca.key'), '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', o('san.ext'), '-out', o('server.pem'),
  ]);
  await run('openssl', [
    'pkcs12', '-export', '-in', o('server.pem'), '-inkey', o('server.key'), '-name', 'broker',
    '-out', o('server.p12'), '-passout', `pass:${storePassword}`,
  ]);
  return { caPem: o('ca.pem'), keystore: o('server.p12') };
}

export class KafkaBroker {
  readonly bootstrap: string;
  readonly saslBootstrap?: string;
  readonly tls?: TlsMaterial;
  private proc?: ChildProcess;
  private exited?: Promise<number | null>;

  private constructor(
    /** The Kafka version this broker runs, e.g. '4.4.0'. */
    readonly version: string,
    readonly workDir: string,
    private readonly libDir: string,
    ports: { plain: number; controller: number; sasl?: number },
    tls: TlsMaterial | undefined,
    private readonly opts: BrokerOptions,
  ) {
    this.bootstrap = `127.0.0.1:${ports.plain}`;
    if (ports.sasl) this.saslBootstrap = `127.0.0.1:${ports.sasl}`;
    this.tls = tls;
  }

  /** Assembles (or reuses) the jars, formats a fresh log dir, starts the JVM and waits until it serves metadata. */
  static async start(opts: BrokerOptions = {}): Promise<KafkaBroker> {
    const version = opts.version ? checkVersion(opts.version) : brokerVersion();
    const libDir = await ensureKafkaLibs(version);
    const workDir = mkdtempSync(join(tmpdir(), 'aik-broker-'));
    let broker: KafkaBroker | undefined;
    try {
      const ports = {
        plain: await freePort(),
        controller: await freePort(),
        sasl: opts.sasl ? await freePort() : undefined,
      };
      const storePassword = randomBytes(12).toString('hex');
      const tlsFiles = opts.sasl ? await makeTls(workDir, storePassword) : undefined;
      KafkaBroker.writeConfig(version, workDir, ports, opts, tlsFiles?.keystore, storePassword);
      broker = new KafkaBroker(version, workDir, libDir, ports, tlsFiles ? { caPemPath: tlsFiles.caPem } : undefined, opts);
      await broker.format(clusterId());
      await broker.launch();
      return broker;
    } catch (err) {
      // A JVM that started but never became ready must not outlive the failed start.
      await broker?.stop().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
      throw err;
    }
  }

  private static writeConfig(
    version: string,
    dir: string,
    ports: { plain: number; controller: number; sasl?: number },
    opts: BrokerOptions,
    keystore: string | undefined,
    storePassword: string,
  ): void {
    const listeners = [`PLAINTEXT://127.0.0.1:${ports.plain}`, `CONTROLLER://127.0.0.1:${ports.controller}`];
    const advertised = [`PLAINTEXT://127.0.0.1:${ports.plain}`];
    if (ports.sasl) {
      listeners.push(`SASL_SSL://127.0.0.1:${ports.sasl}`);
      advertised.push(`SASL_SSL://127.0.0.1:${ports.sasl}`);
    }
    const props: Record<string, string | number> = {
      'process.roles': 'broker,controller',
      'node.id': 1,
      'controller.quorum.voters': `1@127.0.0.1:${ports.controller}`,
      listeners: listeners.join(','),
      'advertised.listeners': advertised.join(','),
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': join(dir, 'data'),
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'transaction.state.log.num.partitions': 1,
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
      'num.partitions': 1,
      'group.initial.rebalance.delay.ms': 0,
      // Fault tests use short consumer session timeouts; the broker's floor is 6 s by default.
      // (kafkajs speaks the classic group protocol, whose keys 4.x keeps; the KIP-848 consumer
      // protocol has its own group.consumer.* keys, unused here.)
      'group.min.session.timeout.ms': 1000,
      // Hostile-input tests produce megabyte-sized messages.
      'message.max.bytes': 10 * 1024 * 1024,
      'replica.fetch.max.bytes': 10 * 1024 * 1024,
      'num.network.threads': 2,
      'num.io.threads': 2,
      'background.threads': 2,
      'log.cleaner.threads': 1,
      'auto.create.topics.enable': 'false',
    };
    if (kafkaMajor(version) >= 4) {
      // Share groups (KIP-932) keep state in an internal topic that defaults to 3 replicas.
      Object.assign(props, {
        'share.coordinator.state.topic.replication.factor': 1,
        'share.coordinator.state.topic.min.isr': 1,
      });
    }
    if (keystore) {
      Object.assign(props, {
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_ssl.ssl.keystore.type': 'PKCS12',
        'listener.name.sasl_ssl.ssl.keystore.location': keystore,
        'listener.name.sasl_ssl.ssl.keystore.password': storePassword,
        'listener.name.sasl_ssl.ssl.key.password': storePassword,
      });
    }
    Object.assign(props, opts.properties ?? {});
    const text = Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
    writeFileSync(join(dir, 'server.properties'), text);
    // server.log: WARN and up, plus INFO from kafka.*. 3.x logs through reload4j (log4j 1.x
    // syntax), 4.x through log4j2 (its properties syntax; YAML would need another jar).
    writeFileSync(
      join(dir, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, file',
        'log4j.appender.file=org.apache.log4j.FileAppender',
        `log4j.appender.file.File=${join(dir, 'server.log')}`,
        'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka=INFO',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'log4j2.properties'),
      [
        'status = warn',
        'appender.file.type = File',
        'appender.file.name = file',
        `appender.file.fileName = ${join(dir, 'server.log')}`,
        'appender.file.layout.type = PatternLayout',
        'appender.file.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = warn',
        'rootLogger.appenderRef.file.ref = file',
        'logger.kafka.name = kafka',
        'logger.kafka.level = info',
        '',
      ].join('\n'),
    );
  }

  private javaArgs(mainClass: string, args: string[]): string[] {
    const logging = kafkaMajor(this.version) >= 4
      ? `-Dlog4j2.configurationFile=${join(this.workDir, 'log4j2.properties')}`
      : `-Dlog4j.configuration=file:${join(this.workDir, 'log4j.properties')}`;
    return [
      '-Xms128m', '-Xmx512m', '-XX:+UseG1GC',
      logging,
      `-Dkafka.logs.dir=${this.workDir}`,
      '-cp', `${this.libDir}/*`,
      mainClass, ...args,
    ];
  }

  private async format(id: string): Promise<void> {
    const args = ['format', '-t', id, '-c', join(this.workDir, 'server.properties')];
    for (const u of this.opts.sasl?.users ?? []) {
      for (const mech of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
        args.push('--add-scram', `${mech}=[name=${u.username},password=${u.password}]`);
      }
    }
    await run('java', this.javaArgs('kafka.tools.StorageTool', args));
  }

  private async launch(): Promise<void> {
    const supervise = join(SCRIPT_DIR, 'supervise.sh');
    const proc = spawn(
      'bash',
      [supervise, this.workDir, 'java', ...this.javaArgs('kafka.Kafka', [join(this.workDir, 'server.properties')])],
      { stdio: ['pipe', this.opts.verbose ? 'inherit' : 'ignore', this.opts.verbose ? 'inherit' : 'ignore'] },
    );
    this.proc = proc;
    this.exited = new Promise((res) => proc.once('exit', (code) => res(code)));
    await this.waitReady(this.opts.startTimeoutMs ?? 90_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited?.then((c) => (exitCode = c ?? -1));
    let lastError = '';
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`Kafka broker exited during start (code ${exitCode}); see ${this.workDir}/server.log`);
      const kafka = new Kafka({
        clientId: 'broker-readiness',
        brokers: [this.bootstrap],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1000,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0) return;
      } catch (err) {
        lastError = (err as Error).message;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Kafka broker did not become ready within ${timeoutMs} ms: ${lastError}`);
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Stops the JVM (controlled shutdown) but keeps data and ports for restart(). */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await this.exited;
      clearTimeout(timer);
    }
    proc.stdin?.destroy();
  }

  /** Starts the broker again on the same data dir and ports. */
  async start(): Promise<void> {
    if (this.proc) return;
    await this.launch();
  }

  async restart(pauseMs = 0): Promise<void> {
    await this.stop();
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    await this.start();
  }

  /** Stops the broker and removes every file it wrote. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
