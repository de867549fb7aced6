import { createRequire } from 'node:module'
import { afterAll, beforeAll } from 'vitest'
import { importOpenApi } from '../contracts/openapi/contract.ts'
import { createTwin } from '../handlers/twin.ts'
import { startServer, type RunningServer } from '../server/serve.ts'
import { describeContracts } from '../vitest.ts'
import { libraryDocument } from './helpers/library-document.ts'

// Issue 19: `describeContracts` runs an imported API's derived suite in the user's own vitest, like the four's: one
// `it` per check. Scalar Galaxy from a file path, against its twin in process; a parsed document (the library) against
// its twin served over HTTP, through the APITWIN_* variables a QA team would set, with writes allowed.
const require = createRequire(import.meta.url)
const env: NodeJS.ProcessEnv = {}
let server: RunningServer | undefined
beforeAll(async () => {
  const contract = await importOpenApi(libraryDocument(), { name: 'library' })
  const twin = await createTwin({ apis: [], openapi: { library: contract } })
  server = await startServer({ port: 0, twin, log: false })
  const bearer = Object.values(twin.accounts('library')[0]?.credentials ?? {}).find((c) => /^Bearer /.test(c.value))?.value
  if (bearer === undefined) throw new Error('the library twin publishes no bearer credential')
  Object.assign(env, {
    APITWIN_BASE_URL: `${server.url}/library`,
    APITWIN_TOKEN: bearer.replace(/^Bearer /, ''),
    APITWIN_ALLOW_WRITES: '1',
  })
})
afterAll(async () => server?.close())

describeContracts(['galaxy'], { openapi: { galaxy: require.resolve('@scalar/galaxy/3.1.yaml') }, env: {}, maxCases: 5 })
describeContracts(['library'], { openapi: { library: libraryDocument() }, env, maxCases: 5 })
