import { open, readFile, rename, rm } from 'node:fs/promises'
import type { ReadingChoice } from '../contracts/provenance.ts'
import { liveControls, parseFault, type ApiFault } from '../handlers/live-controls.ts'
import type { ApiSnapshot } from '../handlers/twin-api.ts'
import type { Twin } from '../handlers/twin.ts'
import { UsageError } from './usage-error.ts'

/** What `--state FILE` holds: the seed it belongs to and each API's records. */
interface SavedState {
  readonly apitwin: 1
  readonly seed: number
  readonly users: number
  readonly savedAt: string
  readonly apis: Readonly<Record<string, ApiSnapshot>>
  /** The readings each API followed (switched on the control page or given at start); absent in older files. */
  readonly readings?: Readonly<Record<string, ReadingChoice>>
  /** The faults that were on, per API (the control page's). */
  readonly faults?: Readonly<Record<string, ApiFault>>
}

/** How long after a change the file is written: a burst of updates is one write. */
export const SAVE_DEBOUNCE_MS = 200

/**
 * The data of a running twin kept in a file (`apitwin serve --state FILE`), so edits outlive a restart: loaded
 * at start, saved after changes (debounced) and at shutdown. A save writes a temp file beside it, flushes it
 * to disk and renames it over the old one, so a crash mid-save leaves the previous file whole, never half of one.
 * @example const state = new StateFile('.apitwin-state.json', twin); await state.load(); state.changed()
 */
export class StateFile {
  readonly path: string
  readonly #twin: Twin
  #timer: NodeJS.Timeout | undefined
  #saving: Promise<void> | undefined
  #dirty = false

  constructor(path: string, twin: Twin) {
    this.path = path
    this.#twin = twin
  }

  /** Restores the saved records, if the file exists; refuses a file of another seed or one that is not a state. */
  async load(): Promise<boolean> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw new UsageError(`cannot read the state file ${this.path}: ${(error as Error).message}`)
    }
    let saved: SavedState
    try {
      saved = JSON.parse(text) as SavedState
    } catch {
      throw new UsageError(`the state file ${this.path} is not JSON; move it away (apitwin saves a new one) or pass another --state`)
    }
    if (saved?.apitwin !== 1 || typeof saved.apis !== 'object' || saved.apis === null) {
      throw new UsageError(`${this.path} is not an apitwin state file; pass another --state path`)
    }
    if (saved.seed !== this.#twin.seed || saved.users !== this.#twin.users) {
      throw new UsageError(
        `the state file ${this.path} was saved with --seed ${saved.seed} --users ${saved.users}; start with those, or pass another --state path`,
      )
    }
    for (const api of this.#twin.apis) {
      const snapshot = saved.apis[api.name]
      const readings = saved.readings?.[api.name]
      const fault = saved.faults?.[api.name] === undefined ? undefined : parseFault(saved.faults[api.name])
      try {
        // The readings switched last time come back, but a reading named at this start (--reading, config) wins.
        if (readings !== undefined) await this.#twin.setReadings(api.name, { ...readings, ...this.#twin.readings[api.name] })
        if (fault !== undefined) liveControls(this.#twin).setFault(api.name, typeof fault === 'string' ? undefined : fault)
        if (snapshot) await this.#twin.state(api.name).restore(snapshot)
      } catch (error) {
        throw new UsageError(
          `the state file ${this.path} does not fit this apitwin's ${api.name} data (${(error as Error).message.slice(0, 200)}); move it away or pass another --state`,
        )
      }
    }
    return true
  }

  /** Schedules a save (debounced). */
  changed(): void {
    this.#dirty = true
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      // One line, no stack: the user needs the file and the reason (ENOENT, EACCES, ENOSPC), not our call chain.
      void this.#save().catch((error: unknown) =>
        console.error(
          `apitwin: could not save the state file ${this.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; the data stays in memory, the next change tries again`,
        ),
      )
    }, SAVE_DEBOUNCE_MS)
  }

  /** Writes any pending change now and waits for it (shutdown). */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#save()
  }

  async #save(): Promise<void> {
    // One save at a time; a change during a save is written by the next one.
    while (this.#saving) await this.#saving
    if (!this.#dirty) return
    this.#dirty = false
    this.#saving = this.#write().finally(() => (this.#saving = undefined))
    await this.#saving
  }

  async #write(): Promise<void> {
    const state: SavedState = {
      apitwin: 1,
      seed: this.#twin.seed,
      users: this.#twin.users,
      savedAt: new Date().toISOString(),
      apis: Object.fromEntries(this.#twin.apis.map((api) => [api.name, this.#twin.state(api.name).snapshot()])),
      readings: this.#twin.readings,
      faults: liveControls(this.#twin).faults(),
    }
    const temp = `${this.path}.${process.pid}.tmp`
    const file = await open(temp, 'w', 0o600)
    try {
      await file.writeFile(JSON.stringify(state))
      await file.sync()
    } finally {
      await file.close()
    }
    try {
      await rename(temp, this.path)
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
  }
}
