import { ConfigError } from '../../src/errors';
import { parseConfig } from '../../src/config/load';

const CONF = '/tmp/conf.yaml';
const conf = (value: string): string => `init_config:\ninstances:\n  - kafka_connect_str: ${value}\n    topic: insights\n`;

function problems(text: string): string[] {
  try {
    parseConfig(text, CONF, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

describe('kafka_connect_str as one comma-separated string', () => {
  it.each([
    ['"k1:9092,k2:9092"', ['k1:9092', 'k2:9092']],
    ['" k1:9092 ,  k2:9092 "', ['k1:9092', 'k2:9092']],
    ['k1:9092', ['k1:9092']],
    ['[k1:9092, k2:9092]', ['k1:9092', 'k2:9092']],
  ])('%s resolves to a list', (value, list) => {
    expect(parseConfig(conf(value), CONF, {}).instances[0].kafka_connect_str).toEqual(list);
  });

  it.each([
    ['"k1:9092,,k2:9092"', ['instances[0].kafka_connect_str: entry 2 of 3 of the comma-separated list is empty (got "k1:9092,,k2:9092")']],
    ['"k1:9092,"', ['instances[0].kafka_connect_str: entry 2 of 2 of the comma-separated list is empty (got "k1:9092,")']],
    ['"  "', ['instances[0].kafka_connect_str: must not be empty (got "  ")']],
    ['"k1:9092,localhost"', ['instances[0].kafka_connect_str[1]: must be host:port (got "localhost")']],
    ['5', ['instances[0].kafka_connect_str: must be list or string (got 5)']],
  ])('%s is refused with the key path', (value, issues) => {
    expect(problems(conf(value))).toEqual(issues);
  });

  it('a bad string does not hide the other problems of the file', () => {
    const text = `${conf('"k1:9092,,k2:9092"')}  - kafka_connect_str: k3:9092\n    topic: "bad topic"\n`;
    expect(problems(text)).toEqual([
      'instances[0].kafka_connect_str: entry 2 of 3 of the comma-separated list is empty (got "k1:9092,,k2:9092")',
      "instances[1].topic: must be a Kafka topic name (1 to 249 letters, digits, '.', '_' or '-') (got \"bad topic\")",
    ]);
  });
});
