import { apiNames, parse, print, str, type Io } from '../args.ts'
import { apis } from '../../handlers/twin.ts'
import { DEFAULT_BASE_URL, openapi } from '../openapi.ts'
import { UsageError } from '../usage-error.ts'

export const openapiHelp = `apitwin openapi [api] [--base-url URL] — print the OpenAPI 3.1 document generated from the contracts
(${apiNames}); without an api, one document for all of them under their apitwin mounts.

  --base-url URL   where apitwin serves (default ${DEFAULT_BASE_URL}); servers[0] is <URL>/<api> for one API`

/** `apitwin openapi [api]`: the OpenAPI document on stdout. */
export function openapiCommand(args: string[], io: Io): number {
  const { values, positionals } = parse(args, { 'base-url': { type: 'string' } }, io.env)
  if (values['help']) return print(io, openapiHelp)
  const name = positionals[0]
  if (name !== undefined && !apis.some((a) => a.name === name)) throw new UsageError(`unknown API "${name}"; choose one of: ${apiNames}`)
  const baseUrl = str(values, 'base-url') ?? DEFAULT_BASE_URL
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new UsageError(`--base-url "${baseUrl}" is not a URL; give where apitwin serves, e.g. http://127.0.0.1:4011`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base-url must be http or https, got ${url.protocol}`)
  io.stdout(`${JSON.stringify(openapi(name, { baseUrl: url.href }), null, 2)}\n`)
  return 0
}
