import { defineConfig } from 'vitest/config';

// Tests start real peers and real daemons: forks keep each file's processes and signal handlers apart, and
// timeouts are generous because CI machines are small (2 cores). Speed is measured by bench/, never here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One retry: tests that start real peers and daemons on a 2-core box occasionally lose a race with the
    // scheduler; a test that fails twice is a real failure.
    retry: 1,
    reporters: ['default'],
  },
});
