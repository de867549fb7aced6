import { defineConfig } from 'vitest/config'

// `npm run test:e2e`: the browser demo in headless Chromium (see demo.test.ts). Not part of `npm test`, which
// must pass on a machine without Chromium.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
