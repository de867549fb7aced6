import { readFile, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { importOpenApi, type OpenApiContract } from '../contracts/openapi/contract.ts'
import { MAX_DOCUMENT_CHARS } from '../contracts/openapi/document.ts'
import { OpenApiImportError } from '../contracts/openapi/import-error.ts'
import { contracts } from '../contracts/registry.ts'
import type { Config } from './config.ts'
import { UsageError } from './usage-error.ts'

const BUILT_IN = Object.keys(contracts)

/** One document to import: its file and, when given, the API's name (else a slug of its `info.title`). */
export interface OpenApiSource {
  readonly name?: string
  readonly file: string
  /** Where it was asked for, for messages: `--openapi` or the config file's `apis.<name>`. */
  readonly where: string
}

/**
 * `--openapi [name=]FILE` flags (repeatable; comma-free) as sources.
 * @example parseOpenApiFlags(['billing=./billing.yaml', './crm.json']) // [{ name: 'billing', file: './billing.yaml' }, { file: './crm.json' }]
 */
export function parseOpenApiFlags(flags: unknown): OpenApiSource[] {
  const given = Array.isArray(flags) ? flags.map(String) : typeof flags === 'string' ? flags.split(/\s+/).filter(Boolean) : []
  return given.map((flag) => {
    const match = /^([a-z0-9][a-z0-9-]*)=(.+)$/.exec(flag)
    return match
      ? { name: match[1] as string, file: match[2] as string, where: `--openapi ${flag}` }
      : { file: flag, where: `--openapi ${flag}` }
  })
}

/** The `apis` of a config file as sources; their files are relative to the config file's folder. */
export function configOpenApis(config: Config, configFile: string): OpenApiSource[] {
  return Object.entries(config.apis ?? {}).map(([name, entry]) => ({
    name,
    file: resolve(dirname(resolve(configFile)), entry.openapi),
    where: `${configFile}: apis.${name}`,
  }))
}

/**
 * Reads and imports each document. A file that cannot be read, is too large, or that apitwin cannot model is a
 * usage error in one line (exit 2) naming the flag or config entry and, for a document, the JSON pointer.
 * @example const contracts = await loadOpenApis(parseOpenApiFlags(['billing=./billing.yaml']))
 */
export async function loadOpenApis(sources: readonly OpenApiSource[]): Promise<OpenApiContract[]> {
  const contracts: OpenApiContract[] = []
  for (const source of sources) {
    const size = await stat(source.file).then(
      (s) => (s.isFile() ? s.size : -1),
      () => undefined,
    )
    if (size === undefined)
      throw new UsageError(`${source.where}: cannot read ${source.file} (no such file); give the path of an OpenAPI 3 document`)
    if (size < 0) throw new UsageError(`${source.where}: ${source.file} is not a file`)
    if (size > MAX_DOCUMENT_CHARS * 4)
      throw new UsageError(
        `${source.where}: ${source.file} is ${size} bytes, more than apitwin reads (${MAX_DOCUMENT_CHARS} characters); split it`,
      )
    const text = await readFile(source.file, 'utf8')
    try {
      const contract = await importOpenApi(text, source.name === undefined ? {} : { name: source.name })
      // The commands mount the four beside imported APIs, so their names are taken here (alone, in createTwin,
      // they are not).
      if ((BUILT_IN as readonly string[]).includes(contract.name))
        throw new UsageError(
          `${source.where}: "${contract.name}" is already taken by apitwin; name the API: --openapi other-name=${source.file}`,
        )
      if (contracts.some((c) => c.name === contract.name))
        throw new UsageError(
          `${source.where}: another document is already named "${contract.name}"; name this one: --openapi other-name=${source.file}`,
        )
      contracts.push(contract)
    } catch (error) {
      if (error instanceof OpenApiImportError) throw new UsageError(`${source.where}: ${source.file} ${error.message}`)
      throw error
    }
  }
  return contracts
}
