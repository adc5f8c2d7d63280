import { parseConfig } from '../../src/config/load';
import { planReload } from '../../src/config/reloadPlan';

const conf = (instances: string, init = '') => parseConfig(`init_config:\n${init}instances:\n${instances}`, '/etc/x/conf.yaml', {});
const inst = (topic: string, extra = '', group = 'g', brokers = '[k1:9092, k2:9092]') => `  - kafka_connect_str: ${brokers}\n    topic: ${topic}\n    consumer_group: ${group}\n${extra}`;

function plan(before: string, after: string, initBefore = '', initAfter = '') {
  const a = conf(before, initBefore);
  const b = conf(after, initAfter);
  const p = planReload(a.instances.map((i) => ({ handle: i.name, settings: i })), a.init, b);
  return {
    matched: p.matched.map((m) => [m.running, m.change, m.keys.join(' ')]),
    removed: p.removed,
    added: p.added.map((i) => i.name),
    init: p.initNeedsRestart,
  };
}

describe('reload plan', () => {
  it.each([
    ['nothing changed', inst('a'), inst('a'), [['a', 'unchanged', '']]],
    ['brokers in another order: the same instance, restarted', inst('a'), inst('a', '', 'g', '[k2:9092, k1:9092]'), [['a', 'restart', 'kafka_connect_str']]],
    ['a tag applies between batches', inst('a'), inst('a', '    tags: [team:x]\n'), [['a', 'apply', 'metricTags telemetryTags']]],
    ['the metric types apply between batches', inst('a'), inst('a', '    metric_types: {x: gauge}\n'), [['a', 'apply', 'metric_types']]],
    ['drift settings apply between batches', inst('a'), inst('a', '    drift:\n      enabled: false\n'), [['a', 'apply', 'drift']]],
    ['the DogStatsD target applies between batches', inst('a'), inst('a', '    dogstatsd:\n      port: 9125\n'), [['a', 'apply', 'dogstatsd']]],
    ['a fetch setting restarts the instance', inst('a'), inst('a', '    max_wait_ms: 900\n'), [['a', 'restart', 'max_wait_ms']]],
    ['a Kafka and a tag change: restart', inst('a'), inst('a', '    session_timeout_ms: 20000\n    tags: [t:1]\n'), [['a', 'restart', 'metricTags session_timeout_ms telemetryTags']]],
  ])('%s', (_, before, after, matched) => {
    const p = plan(before, after);
    expect(p.matched).toEqual(matched);
    expect(p.removed).toEqual([]);
    expect(p.added).toEqual([]);
  });

  it('another group or topic is another instance: the old one stops, the new one starts', () => {
    expect(plan(inst('a') + inst('b'), inst('b') + inst('a', '', 'g2') + inst('c'))).toEqual({
      matched: [['b', 'apply', 'index']],
      removed: ['a'],
      added: ['a', 'c'],
      init: [],
    });
  });

  it('init_config: the shutdown timeout applies, the rest waits for a restart', () => {
    expect(plan(inst('a'), inst('a'), '  log_level: info\n', '  log_level: debug\n  shutdown_timeout_seconds: 5\n').init).toEqual(['log_level']);
  });
});
