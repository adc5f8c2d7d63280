import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load';
import type { DogStatsDTarget } from '../../src/config/resolved';
import { parseDogStatsDUrl, splitDdTags, tagKey } from '../../src/config/env';
import { configSchema, DEFAULT_UDP_DATAGRAM_BYTES, MAX_UDS_DATAGRAM_BYTES } from '../../src/config/schema';

/** One instance with the given `dogstatsd` and `tags` sections, parsed against `env`. */
function instance(env: NodeJS.ProcessEnv, dogstatsd?: Record<string, unknown>, tags?: string[]) {
  const inst: Record<string, unknown> = { kafka_connect_str: ['localhost:9092'], topic: 'insights' };
  if (dogstatsd) inst.dogstatsd = dogstatsd;
  if (tags) inst.tags = tags;
  return parseConfig(stringify({ init_config: null, instances: [inst] }), '/etc/algorithmia-insights/conf.yaml', env).instances[0];
}

const udp = (host: string, port: number, source: DogStatsDTarget['source'], maxDatagramBytes = 1432) =>
  ({ protocol: 'udp', host, port, maxDatagramBytes, originDetection: false, clientTelemetry: true, packValues: true, source }) as const;
const uds = (path: string, source: DogStatsDTarget['source'], maxDatagramBytes = 8192) =>
  ({ protocol: 'uds', path, maxDatagramBytes, originDetection: false, clientTelemetry: true, packValues: true, source }) as const;

describe('DogStatsD target precedence: DD_* env > conf.yaml > default', () => {
  const SOCK = '/var/run/datadog/dsd.socket';
  const cases: [string, NodeJS.ProcessEnv, Record<string, unknown> | undefined, DogStatsDTarget][] = [
    ['nothing set: default', {}, undefined, udp('localhost', 8125, 'default')],
    ['empty dogstatsd section: default', {}, {}, udp('localhost', 8125, 'default')],
    ['conf host only', {}, { host: 'agent' }, udp('agent', 8125, 'config')],
    ['conf port only', {}, { port: 9125 }, udp('localhost', 9125, 'config')],
    ['conf host and port', {}, { host: 'agent', port: 9125 }, udp('agent', 9125, 'config')],
    ['conf socket', {}, { socket: SOCK }, uds(SOCK, 'config')],
    ['conf udp url', {}, { url: 'udp://agent:9125' }, udp('agent', 9125, 'config')],
    ['conf udp url with IPv6 host', {}, { url: 'udp://[::1]:9125' }, udp('::1', 9125, 'config')],
    ['conf unix url', {}, { url: `unix://${SOCK}` }, uds(SOCK, 'config')],
    ['DD_DOGSTATSD_URL beats conf url', { DD_DOGSTATSD_URL: 'udp://envhost:7000' }, { url: `unix://${SOCK}` }, udp('envhost', 7000, 'env')],
    ['DD_DOGSTATSD_URL unix beats conf host/port', { DD_DOGSTATSD_URL: 'unix:///tmp/env.sock' }, { host: 'agent', port: 1 }, uds('/tmp/env.sock', 'env')],
    [
      'DD_DOGSTATSD_URL beats DD_DOGSTATSD_SOCKET and DD_AGENT_HOST',
      { DD_DOGSTATSD_URL: 'udp://u:1', DD_DOGSTATSD_SOCKET: '/tmp/s', DD_AGENT_HOST: 'h', DD_DOGSTATSD_PORT: '2' },
      undefined,
      udp('u', 1, 'env'),
    ],
    ['DD_DOGSTATSD_SOCKET beats DD_AGENT_HOST', { DD_DOGSTATSD_SOCKET: '/tmp/s', DD_AGENT_HOST: 'h' }, undefined, uds('/tmp/s', 'env')],
    ['DD_DOGSTATSD_SOCKET beats conf url', { DD_DOGSTATSD_SOCKET: '/tmp/s' }, { url: 'udp://agent:9125' }, uds('/tmp/s', 'env')],
    ['DD_AGENT_HOST keeps the conf port', { DD_AGENT_HOST: 'envhost' }, { port: 9125 }, udp('envhost', 9125, 'env')],
    ['DD_DOGSTATSD_PORT keeps the conf host', { DD_DOGSTATSD_PORT: '7000' }, { host: 'agent' }, udp('agent', 7000, 'env')],
    ['DD_DOGSTATSD_PORT keeps the host of a conf udp url', { DD_DOGSTATSD_PORT: '7000' }, { url: 'udp://agent:9125' }, udp('agent', 7000, 'env')],
    ['DD_AGENT_HOST keeps the port of a conf udp url', { DD_AGENT_HOST: 'envhost' }, { url: 'udp://agent:9125' }, udp('envhost', 9125, 'env')],
    ['DD_AGENT_HOST turns a conf socket into UDP (default port)', { DD_AGENT_HOST: 'envhost' }, { socket: SOCK }, udp('envhost', 8125, 'env')],
    ['DD_DOGSTATSD_PORT turns a conf unix url into UDP (default host)', { DD_DOGSTATSD_PORT: '7000' }, { url: `unix://${SOCK}` }, udp('localhost', 7000, 'env')],
    ['DD_AGENT_HOST and DD_DOGSTATSD_PORT beat conf host/port', { DD_AGENT_HOST: 'h', DD_DOGSTATSD_PORT: '1' }, { host: 'agent', port: 9125 }, udp('h', 1, 'env')],
    ['DD_AGENT_HOST as an IPv6 address', { DD_AGENT_HOST: '[fd00::1]' }, undefined, udp('fd00::1', 8125, 'env')],
    ['blank variables are ignored', { DD_DOGSTATSD_URL: '', DD_AGENT_HOST: '  ', DD_DOGSTATSD_PORT: '' }, { host: 'agent' }, udp('agent', 8125, 'config')],
    ['unrelated DD_* variables change nothing', { DD_ENV: 'prod', DD_SERVICE: 's', DD_ENTITY_ID: 'x' }, undefined, udp('localhost', 8125, 'default')],
  ];
  it.each(cases)('%s', (_id, env, dogstatsd, expected) => {
    expect(instance(env, dogstatsd).dogstatsd).toEqual(expected);
  });
});

describe('DogStatsD datagram size and client options', () => {
  it.each([
    ['UDP default', {}, {}, udp('localhost', 8125, 'default', 1432)],
    ['UDS default', {}, { socket: '/s' }, uds('/s', 'config', 8192)],
    ['config wins on UDP (loopback can take 8192)', {}, { max_datagram_bytes: 8192 }, udp('localhost', 8125, 'default', 8192)],
    ['config below the UDS default', {}, { socket: '/s', max_datagram_bytes: 4096 }, uds('/s', 'config', 4096)],
    ['UDS capped at 8192 (the Agent cuts larger datagrams)', {}, { socket: '/s', max_datagram_bytes: 65000 }, uds('/s', 'config', 8192)],
    ['cap applies when the env picks UDS', { DD_DOGSTATSD_SOCKET: '/e' }, { max_datagram_bytes: 9000 }, uds('/e', 'env', 8192)],
    ['size setting alone keeps the default target', {}, { max_datagram_bytes: 1000 }, udp('localhost', 8125, 'default', 1000)],
  ] as const)('%s', (_id, env, dogstatsd, expected) => {
    expect(instance({ ...env }, { ...dogstatsd }).dogstatsd).toEqual(expected);
  });

  it('origin detection is off and client telemetry on by default; both configurable', () => {
    expect(instance({}).dogstatsd).toMatchObject({ originDetection: false, clientTelemetry: true });
    expect(instance({}, { origin_detection: true, client_telemetry: false }).dogstatsd).toMatchObject({ originDetection: true, clientTelemetry: false });
  });
});

describe('parseDogStatsDUrl', () => {
  it.each([
    ['udp://localhost:8125', { protocol: 'udp', host: 'localhost', port: 8125 }],
    ['udp://10.0.0.1:1', { protocol: 'udp', host: '10.0.0.1', port: 1 }],
    ['udp://[::1]:65535', { protocol: 'udp', host: '::1', port: 65535 }],
    ['unix:///var/run/datadog/dsd.socket', { protocol: 'uds', path: '/var/run/datadog/dsd.socket' }],
    ['udp://localhost', { error: 'must be udp://host:port (an IPv6 host in brackets: udp://[::1]:8125)' }],
    ['udp://::1:8125', { error: 'must be udp://host:port (an IPv6 host in brackets: udp://[::1]:8125)' }],
    ['udp://localhost:65536', { error: 'port must be a number from 1 to 65535' }],
    ['udp://localhost:x', { error: 'port must be a number from 1 to 65535' }],
    ['unix://relative.sock', { error: 'must be unix:///absolute/path/to/socket' }],
    ['unix://', { error: 'must be unix:///absolute/path/to/socket' }],
    ['tcp://localhost:8125', { error: 'must be udp://host:port or unix:///path/to/socket' }],
    ['localhost:8125', { error: 'must be udp://host:port or unix:///path/to/socket' }],
  ])('%s', (url, expected) => {
    expect(parseDogStatsDUrl(url)).toEqual(expected);
  });
});

describe('tags', () => {
  it.each([
    ['a:1,b:2', ['a:1', 'b:2']],
    [' a:1 , b:2 ,', ['a:1', 'b:2']],
    ['a:1 b:2\tc', ['a:1', 'b:2', 'c']],
    ['a:1', ['a:1']],
    ['   ', []],
    [undefined, []],
  ])('splitDdTags(%j)', (value, expected) => {
    expect(splitDdTags(value)).toEqual(expected);
  });

  it.each([
    ['env:prod', 'env'],
    ['url:http://x', 'url'],
    ['standalone', 'standalone'],
  ])('tagKey(%s)', (tag, key) => {
    expect(tagKey(tag)).toBe(key);
  });

  const cases: [string, NodeJS.ProcessEnv, string[] | undefined, string[], string[]][] = [
    ['nothing', {}, undefined, [], []],
    ['instance tags only', {}, ['team:ml', 'tier'], ['team:ml', 'tier'], ['team:ml', 'tier']],
    ['DD_ENV first, then instance tags', { DD_ENV: 'prod' }, ['team:ml'], ['env:prod', 'team:ml'], ['env:prod', 'team:ml']],
    ['DD_TAGS with commas', { DD_TAGS: 'region:eu,team:data' }, undefined, ['region:eu', 'team:data'], ['region:eu', 'team:data']],
    ['DD_TAGS with spaces', { DD_TAGS: 'region:eu team:data' }, undefined, ['region:eu', 'team:data'], ['region:eu', 'team:data']],
    ['DD_ENV wins over an instance env tag', { DD_ENV: 'prod' }, ['env:staging', 'team:ml'], ['env:prod', 'team:ml'], ['env:prod', 'team:ml']],
    ['DD_TAGS wins over instance tags with its keys', { DD_TAGS: 'team:data' }, ['team:ml', 'team:ops', 'x:1'], ['team:data', 'x:1'], ['team:data', 'x:1']],
    ['DD_ENV wins over env: in DD_TAGS', { DD_ENV: 'prod', DD_TAGS: 'env:dev,a:1' }, undefined, ['env:prod', 'a:1'], ['env:prod', 'a:1']],
    ['env: in DD_TAGS counts when DD_ENV is unset', { DD_TAGS: 'env:dev' }, ['env:staging'], ['env:dev'], ['env:dev']],
    ['DD_TAGS may repeat a key', { DD_TAGS: 'team:a,team:b' }, undefined, ['team:a', 'team:b'], ['team:a', 'team:b']],
    ['exact duplicates are dropped', { DD_TAGS: 'a:1,a:1' }, ['b:2', 'b:2'], ['a:1', 'b:2'], ['a:1', 'b:2']],
    [
      'DD_SERVICE and DD_VERSION tag only the forwarder telemetry',
      { DD_ENV: 'prod', DD_SERVICE: 'insights-forwarder', DD_VERSION: '1.2.3' },
      ['team:ml'],
      ['env:prod', 'team:ml'],
      ['env:prod', 'team:ml', 'service:insights-forwarder', 'version:1.2.3'],
    ],
    [
      'DD_SERVICE wins over an instance service tag in telemetry only',
      { DD_SERVICE: 'fwd' },
      ['service:model-api'],
      ['service:model-api'],
      ['service:fwd'],
    ],
  ];
  it.each(cases)('%s', (_id, env, tags, metricTags, telemetryTags) => {
    const i = instance(env, undefined, tags);
    expect(i.metricTags).toEqual(metricTags);
    expect(i.telemetryTags).toEqual(telemetryTags);
  });
});

describe('built-in DogStatsD defaults come from the schema', () => {
  const p = configSchema.properties.instances.items.properties.dogstatsd.properties;
  it('the default target and options are the schema defaults', () => {
    expect(instance({}).dogstatsd).toEqual({
      protocol: 'udp',
      host: p.host.default,
      port: p.port.default,
      maxDatagramBytes: DEFAULT_UDP_DATAGRAM_BYTES,
      originDetection: p.origin_detection.default,
      clientTelemetry: p.client_telemetry.default,
      packValues: p.pack_values.default,
      source: 'default',
    });
  });

  it('the datagram sizes in the description and example are the ones applied', () => {
    expect(p.max_datagram_bytes.description).toContain(`Default ${DEFAULT_UDP_DATAGRAM_BYTES} for UDP`);
    expect(p.max_datagram_bytes.description).toContain(`${MAX_UDS_DATAGRAM_BYTES} for a Unix socket`);
    expect(instance({}, { socket: '/s' }).dogstatsd.maxDatagramBytes).toBe(MAX_UDS_DATAGRAM_BYTES);
  });
});
