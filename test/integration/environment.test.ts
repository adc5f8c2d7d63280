/**
 * The DD_* environment, as the Datadog Agent reads it, is owned by our config layer: hot-shots
 * must not add tags or change the target by itself (DECISIONS, "Delivery and the sink").
 */
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { CheckProcess, cleanEnv, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';

afterAll(() => cleanUpCheckProcesses());

it('DD_DOGSTATSD_URL beats conf.yaml; DD_ENV and DD_TAGS tag every metric; DD_SERVICE and DD_VERSION only the telemetry', async () => {
  const { bootstrap } = sharedBroker();
  const topic = uniqueName('env');
  await createTopic(bootstrap, topic);
  await produce(bootstrap, topic, [{ value: JSON.stringify({ algorithm_name: 'a', algorithm_version: '1', algorithm_owner: 'o', duration_milliseconds: 5 }) }]);
  const dsd = await DogStatsDListener.udp();
  // conf.yaml points at a port nobody listens on: only the environment can make this work
  const cfg = testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: 'udp://127.0.0.1:9', extra: { tags: ['team:conf', 'zone:z1'] } });
  const { file, dir } = writeConfig(cfg);
  const env = cleanEnv({
    DD_DOGSTATSD_URL: dsd.url,
    DD_ENV: 'prod',
    DD_TAGS: 'team:env,region:eu',
    DD_SERVICE: 'insights-forwarder',
    DD_VERSION: '9.9',
    DD_ENTITY_ID: 'some-pod-uid',
    DD_CARDINALITY: 'high',
  });
  const check = CheckProcess.start(['run', '-c', file], { env, cleanupDir: dir });
  try {
    await dsd.waitFor((l) => l.some((x) => x.startsWith('algorithmia.duration_milliseconds:')) && l.some((x) => x.startsWith('_sc|')), 30_000, 'a metric and a service check');
  } finally {
    await check.stop();
    await dsd.close();
  }
  const metric = dsd.lines.find((l) => l.startsWith('algorithmia.duration_milliseconds:')) as string;
  const tags = (line: string) => (line.split('|').find((f) => f.startsWith('#')) ?? '#').slice(1).split(',').sort();
  // env var wins over the instance tag with the same key (team), the other instance tag stays
  expect(tags(metric)).toEqual(['algorithm_name:a', 'algorithm_owner:o', 'algorithm_version:1', 'env:prod', 'region:eu', 'team:env', 'zone:z1']);
  expect(metric).not.toMatch(/\|c:|\|card:|\|e:/); // no origin detection or cardinality field unless configured
  const sc = dsd.lines.find((l) => l.startsWith('_sc|algorithmia.can_connect|')) as string;
  expect(tags(sc.replace(/\|m:.*$/, ''))).toEqual(expect.arrayContaining(['env:prod', 'service:insights-forwarder', 'version:9.9', `topic:${topic}`]));
  const consumed = dsd.lines.find((l) => l.startsWith('algorithmia.forwarder.messages.consumed:')) as string;
  expect(tags(consumed)).toEqual(expect.arrayContaining(['service:insights-forwarder', 'version:9.9', 'env:prod']));
});
