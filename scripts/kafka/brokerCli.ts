/**
 * `npm run broker`: starts a local Kafka broker for trying the product, prints its bootstrap
 * address, and runs until Ctrl-C (then stops it and removes its files). The version is
 * AIK_KAFKA_VERSION's (e.g. 4.4.0), else 3.9.2.
 */
import { KafkaBroker } from './broker';

async function main(): Promise<void> {
  const started = Date.now();
  const broker = await KafkaBroker.start({ verbose: process.argv.includes('--verbose') });
  process.stdout.write(`Kafka ${broker.version} broker ready in ${Date.now() - started} ms\nbootstrap: ${broker.bootstrap}\n(Ctrl-C stops it)\n`);
  const stop = () => {
    void broker.destroy().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
