/**
 * unit: pure stages, in parallel. integration: one shared real broker started by globalSetup,
 * of the Kafka version AIK_KAFKA_VERSION names (`npm test` runs it against 3.9.2 and 4.4.0).
 * faults: brokers of their own, run in band by `npm run test:faults`.
 */
const tsJest = ['ts-jest', { diagnostics: false }];
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/globalSetup.ts',
      globalTeardown: '<rootDir>/test/harness/globalTeardown.ts',
    },
    {
      // Fault tests start (and stop, restart, break) brokers of their own; run them in band.
      displayName: 'faults',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/buildSetup.ts',
    },
  ],
};
