import { parseConfig } from '../../src/config/load';
import { dryRunBanner, dryRunConfig, dryRunGroup } from '../../src/config/dryRun';

const CONF = `init_config:
  health_port: 8080
instances:
  - kafka_connect_str: [k1:9092, k2:9092]
    topic: insights
    consumer_group: prod
    start_from: latest
    drift:
      state_file: /var/lib/x/drift.state
`;

describe('dry run config', () => {
  const config = parseConfig(CONF, '/etc/x/conf.yaml', {});
  const dry = dryRunConfig(config, 4242);

  it('reads through a throwaway group that observes the configured one', () => {
    expect(dryRunGroup('prod', 4242)).toBe('prod.dry-run.4242');
    expect(dry.instances[0].consumer_group).toBe('prod.dry-run.4242');
    expect(dry.instances[0].dryRun).toEqual({ observedGroup: 'prod' });
  });

  it('binds no health port and writes no state file; the real config is left as it was', () => {
    expect(dry.init.health_port).toBeUndefined();
    expect(dry.instances[0].drift.stateFile).toBeUndefined();
    expect(config.init.health_port).toBe(8080);
    expect(config.instances[0].drift.stateFile).toBe('/var/lib/x/drift.state');
    expect(config.instances[0].consumer_group).toBe('prod');
    expect(config.instances[0].dryRun).toBeUndefined();
  });

  it('says in one line what it reads and that nothing is committed', () => {
    const banner = dryRunBanner(dry);
    expect(banner.split('\n')).toEqual([
      'dry run: reading topic insights on k1:9092,k2:9092 as the throwaway consumer group prod.dry-run.4242, from the committed offsets of prod (latest where it has none). Nothing is committed and no state file is written; DogStatsD lines go to standard output.',
      '',
    ]);
  });
});
