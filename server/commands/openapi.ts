import { apiNames, parse, print, type Io } from '../args.ts'
import { apis } from '../../handlers/twin.ts'
import { openapi } from '../openapi.ts'
import { UsageError } from '../usage-error.ts'

export const openapiHelp = `apitwin openapi [api] — print the OpenAPI 3.1 document generated from the contracts (${apiNames});
without an api, one document for all of them under their apitwin mounts.`

/** `apitwin openapi [api]`: the OpenAPI document on stdout. */
export function openapiCommand(args: string[], io: Io): number {
  const { values, positionals } = parse(args, {}, io.env)
  if (values['help']) return print(io, openapiHelp)
  const name = positionals[0]
  if (name !== undefined && !apis.some((a) => a.name === name)) throw new UsageError(`unknown API "${name}"; choose one of: ${apiNames}`)
  io.stdout(`${JSON.stringify(openapi(name), null, 2)}\n`)
  return 0
}
