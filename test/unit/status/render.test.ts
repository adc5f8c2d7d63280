import { counterSet, kafkaState } from '../../../src/runtime/instanceStatus';
import type { InstanceStatus, StatusReply } from '../../../src/status/protocol';
import { duration, exitCodeOf, renderNoProcess, renderStatus, table } from '../../../src/status/render';

const zero = counterSet({});

function instance(over: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'insights',
    topic: 'insights',
    consumer_group: 'algorithmia-insights',
    brokers: ['kafka-1:9092', 'kafka-2:9092'],
    kafka: { state: 'joined', healthy: true },
    partitions: [
      { partition: 0, lag_messages: 0, lag_seconds: 0 },
      { partition: 1, lag_messages: 1200, lag_seconds: 42.5 },
      { partition: 2, lag_messages: null, lag_seconds: null },
    ],
    newest_message: { time: '2026-12-07T10:00:00.000Z', age_seconds: 1.5 },
    counters: {
      since_start: counterSet({ consumed: 12345, emitted: 40000, 'rejected.invalid_json': 3, 'dropped.non_numeric': 17, 'dropped.cardinality': 2, commits: 88, datagrams_sent: 900, 'errors.consume/KAFKA_CONNECT': 1 }),
      last_minute: { ...counterSet({ consumed: 600, emitted: 2000, 'dropped.non_numeric': 1, commits: 6, datagrams_sent: 45 }), window_seconds: 57 },
    },
    dogstatsd: { target: 'udp://127.0.0.1:8125', send_errors: 0, datagrams_sent: 900 },
    monitoring: { drift: { enabled: true, series_tracked: 12, values_untracked: 0 } },
    ...over,
  };
}

const reply = (instances: InstanceStatus[]): StatusReply => ({
  version: 1,
  pid: 4242,
  started_at: '2026-12-07T09:00:00.000Z',
  uptime_seconds: 3725,
  config_file: '/etc/algorithmia-insights/conf.yaml',
  instances,
});

describe('status text', () => {
  it('renders an instance like agent status: headings, aligned key: value lines, counts', () => {
    expect(renderStatus(reply([instance()]), '/run/algorithmia-insights/status-0123456789abcdef.sock')).toBe(
      [
        'algorithmia-insights status',
        '===========================',
        '',
        '  pid:     4242',
        '  up:      1h 2m 5s (since 2026-12-07T09:00:00.000Z)',
        '  config:  /etc/algorithmia-insights/conf.yaml',
        '  socket:  /run/algorithmia-insights/status-0123456789abcdef.sock',
        '',
        'insights',
        '========',
        '',
        '  Kafka',
        '    state:           joined',
        '    health:          OK',
        '    topic:           insights',
        '    consumer group:  algorithmia-insights',
        '    brokers:         kafka-1:9092, kafka-2:9092',
        '',
        '  Partitions: 3 owned',
        '    partition  lag (messages)  lag (seconds)',
        '    0          0               0',
        '    1          1200            42.5',
        '    2          -               -',
        '',
        '  Newest message:  2026-12-07T10:00:00.000Z (1.5 s ago)',
        '',
        '  Counters',
        '                             since start  last 57 s',
        '    messages consumed        12345        600',
        '    messages rejected        3            0',
        '      invalid_json           3            0',
        '    values sent              40000        2000',
        '    values dropped           19           1',
        '      cardinality            2            0',
        '      non_numeric            17           1',
        '    dead-lettered            0            0',
        '    offset commits           88           6',
        '    commit errors            0            0',
        '    errors                   1            0',
        '      consume/KAFKA_CONNECT  1            0',
        '',
        '  DogStatsD',
        '    target:          udp://127.0.0.1:8125',
        '    datagrams sent:  900',
        '    send errors:     0',
        '',
        '  Model monitoring',
        '    drift series tracked:    12',
        '    drift values untracked:  0',
        '',
      ].join('\n'),
    );
  });

  it('an unhealthy instance shows why, the cause and the last error; no partitions before the join', () => {
    const text = renderStatus(
      reply([
        instance({
          kafka: { state: 'failing', healthy: false, message: 'cannot consume: Connection error: connect ECONNREFUSED 127.0.0.1:1', cause: 'connection refused to 127.0.0.1:1', last_error: { stage: 'consume', code: 'KAFKA_CONNECT', at: '2026-12-07T10:00:00.000Z' } },
          partitions: null,
          newest_message: null,
          counters: { since_start: zero, last_minute: { ...zero, window_seconds: 12 } },
          monitoring: { drift: { enabled: false, series_tracked: null, values_untracked: 0 } },
        }),
      ]),
      '/tmp/s.sock',
    );
    expect(text).toContain(
      [
        '    state:           failing',
        '    health:          NOT OK: cannot consume: Connection error: connect ECONNREFUSED 127.0.0.1:1',
        '    cause:           connection refused to 127.0.0.1:1',
        '    last error:      KAFKA_CONNECT at 2026-12-07T10:00:00.000Z',
      ].join('\n'),
    );
    expect(text).toContain('  Partitions: none yet (not in the consumer group)\n');
    expect(text).toContain('  Newest message:  none yet\n');
    expect(text).toContain('    drift:  disabled\n');
  });

  it('shows field health as counts (the detail is in --json), or that it is off', () => {
    const health = { enabled: true, series_tracked: 12, series_reporting: 2, invalid_values: 7, invalid_by_reason: { null: 5, non_numeric: 2 }, fields: [] };
    const text = renderStatus(reply([instance({ monitoring: { drift: { enabled: true, series_tracked: 12, values_untracked: 0 }, field_health: health } })]), '/tmp/s.sock');
    expect(text).toContain(
      [
        '  Model monitoring',
        '    drift series tracked:        12',
        '    drift values untracked:      0',
        '    fields with missing values:  2',
        '    invalid values:              7 (null 5, non_numeric 2)',
      ].join('\n'),
    );
    const off = renderStatus(reply([instance({ monitoring: { drift: { enabled: true, series_tracked: 12, values_untracked: 0 }, field_health: { ...health, enabled: false } } })]), '/tmp/s.sock');
    expect(off).toContain('    field health:            disabled\n');
  });

  it("shows the health's cause as its message, key and since when", () => {
    const text = renderStatus(
      reply([
        instance({
          kafka: {
            state: 'failing',
            healthy: false,
            message: 'connection refused to 127.0.0.1:1',
            cause: { key: 'connection_refused', message: 'connection refused to 127.0.0.1:1', broker: '127.0.0.1:1', since: '2026-12-07T09:59:00.000Z', at: '2026-12-07T10:00:00.000Z' },
          },
          partitions: null,
          newest_message: null,
          counters: { since_start: zero, last_minute: { ...zero, window_seconds: 12 } },
          monitoring: { drift: { enabled: false, series_tracked: null, values_untracked: 0 } },
        }),
      ]),
      '/tmp/s.sock',
    );
    expect(text).toContain('    cause:           connection refused to 127.0.0.1:1 (connection_refused) since 2026-12-07T09:59:00.000Z\n');
  });

  it('says where it looked when no process answered', () => {
    expect(renderNoProcess('/etc/c.yaml', [
      { path: '/run/algorithmia-insights/status-a.sock', outcome: 'no socket' },
      { path: '/tmp/algorithmia-insights-0/status-a.sock', outcome: 'nobody listening (stale socket)' },
    ])).toBe(
      [
        'No running algorithmia-insights process answered for /etc/c.yaml. Looked at:',
        '  /run/algorithmia-insights/status-a.sock    no socket',
        '  /tmp/algorithmia-insights-0/status-a.sock  nobody listening (stale socket)',
        'Is the check running with this configuration (systemctl status algorithmia-insights)? Run `status` as its user or root.',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [[true], 0],
    [[true, true], 0],
    [[true, false], 1],
    [[false], 1],
    [[], 0],
  ])('exit status for instances healthy %j: %i', (healthy, code) => {
    expect(exitCodeOf(reply(healthy.map((h) => instance({ kafka: { state: h ? 'joined' : 'failing', healthy: h } }))))).toBe(code);
  });

  it.each([
    [0, '0s'],
    [59, '59s'],
    [61, '1m 1s'],
    [3725, '1h 2m 5s'],
    [90061, '1d 1h 1m'],
  ])('duration %i s: %s', (s, text) => expect(duration(s)).toBe(text));

  it('aligns a table on its widest cells', () => {
    expect(table([['a', 'bb', 'c'], ['aaa', 'b', '']], '> ')).toEqual(['> a    bb  c', '> aaa  b']);
  });
});

describe('kafka state, from health and counted failures (never from message texts)', () => {
  it.each([
    [{ stopping: true, healthy: true }, 'stopping'],
    [{ stopping: false, healthy: true }, 'joined'],
    [{ stopping: false, healthy: false }, 'connecting'],
    [{ stopping: false, healthy: false, owned: 0 }, 'connecting'],
    [{ stopping: false, healthy: false, owned: 3 }, 'joined'],
    [{ stopping: false, healthy: false, lastFailureAt: 10 }, 'failing'],
    [{ stopping: false, healthy: false, lastFailureAt: 10, lastFetchAt: 5, owned: 3 }, 'failing'],
    [{ stopping: false, healthy: false, lastFailureAt: 10, lastFetchAt: 20, owned: 3 }, 'joined'],
    [{ stopping: false, healthy: false, lastFailureAt: 10, lastFetchAt: 20 }, 'connecting'],
  ] as const)('%j -> %s', (s, state) => expect(kafkaState(s)).toBe(state));
});

describe('counter sets', () => {
  it('sums reasons and errors, and lists only those seen', () => {
    expect(counterSet({ consumed: 5, emitted: 9, 'rejected.too_large': 2, 'rejected.not_object': 0, 'dropped.reserved': 4, 'errors.send/SINK_SEND': 1, send_errors: 1 })).toEqual({
      messages_consumed: 5,
      messages_rejected: 2,
      rejected_by_reason: { too_large: 2 },
      values_sent: 9,
      values_dropped: 4,
      dropped_by_reason: { reserved: 4 },
      dead_lettered: 0,
      datagrams_sent: 0,
      send_errors: 1,
      commits: 0,
      commit_errors: 0,
      errors: { 'send/SINK_SEND': 1 },
    });
  });
});
