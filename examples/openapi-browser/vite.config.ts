import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// In this repository the page uses the built package (dist/, made by `npm run build`); in your app, drop the
// alias and `npm install apitwin msw`.
const dist = fileURLToPath(new URL('../../dist/', import.meta.url))

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: [{ find: /^apitwin$/, replacement: `${dist}index.js` }] },
  build: { target: 'es2022' },
})
