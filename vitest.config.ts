import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/consumer/**', 'test/e2e/**', '**/node_modules/**'],
    testTimeout: 15_000,
    hookTimeout: 30_000,
    // Every 200 a handler builds is also parsed through its full response schema (handlers/reply.ts respond).
    env: { APITWIN_CHECK_RESPONSES: '1' },
  },
})
