import { defineConfig } from 'vitest/config'

// `npm run test:consumer`: packs apitwin and installs it into a throwaway app (see consumer.test.ts).
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/consumer/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
})
