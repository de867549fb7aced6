import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The published declarations (dist/, built by npm test) must compile without Node's ambient types: TypeScript 7
// no longer loads @types/node unless `types: ["node"]` says so, and a browser app has none. `NodeJS.ProcessEnv`
// in a signature breaks such a user's build; a plain record does not.
const root = fileURLToPath(new URL('..', import.meta.url))
const declarations = (readdirSync(join(root, 'dist'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.d.ts'))
  .map((f) => join(root, 'dist', f))

describe('published types (dist/**/*.d.ts)', () => {
  it('name no NodeJS.* ambient type', () => {
    expect(declarations.length).toBeGreaterThan(20)
    const offenders = declarations.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => /\bNodeJS\./.test(l))
        .map((l) => `${relative(root, file)}: ${l.trim()}`),
    )
    expect(offenders).toEqual([])
  })
})
