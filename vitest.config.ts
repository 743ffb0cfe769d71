import { defineConfig } from 'vitest/config';

// Four projects: unit (no services), integration (the real stack), fault (kills processes for real)
// and fault-long: the three slowest fault tests (about 1.5 to 2.5 minutes each on a quiet 2-core machine),
// which `make soak` and `make test-fault` run with the rest, and `make test` leaves out to stay under 30 minutes.
// Integration and fault tests expect `make stack-up` to have run; test/helpers/stack.ts reads its settings.
const LONG_FAULTS = ['test/fault/broker-kill.test.ts', 'test/fault/network-partition.test.ts', 'test/fault/mariadb-kill.test.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'fault',
          include: ['test/fault/**/*.test.ts'],
          exclude: LONG_FAULTS,
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'fault-long',
          include: LONG_FAULTS,
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
