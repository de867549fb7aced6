import type { ApiView, ControlState } from '../handlers/control-api.ts'
import type { JournalEntry } from '../handlers/journal.ts'
import type { ApiFault } from '../handlers/live-controls.ts'
import { ControlClient } from './control-client.ts'
import { h } from './dom.ts'
import { PANEL_CSS } from './panel-styles.ts'

export interface PanelOptions {
  /** Render the panel inside this element; default: a floating "apitwin" button that opens it as a drawer. */
  readonly target?: Element
  /** Where the control JSON API answers (default `/__twin`, the page's own origin). */
  readonly base?: string
  /** How often the journal is polled, in ms (default 500: a request shows within a second). */
  readonly journalMs?: number
  /** How often accounts, readings, faults and the outbox are re-read, in ms (default 2000: changes by other clients). */
  readonly stateMs?: number
  /** The fetch the panel calls the API with (default: the page's). */
  readonly fetch?: typeof fetch
}

/** A mounted panel. */
export interface PanelHandle {
  /** The element the panel lives in (its content is in an open shadow root). */
  readonly host: HTMLElement
  /** Reads the state again now. */
  refresh(): Promise<void>
  /** Stops polling and removes the panel. */
  unmount(): void
}

const FAILS: ReadonlyArray<readonly [string, string]> = [
  ['', 'none'],
  ['500', '500 server error'],
  ['503', '503 unavailable'],
  ['network', 'network error (dropped)'],
]
const JOURNAL_ROWS = 100

/** The elements of one API's section that change while the page is open. */
interface ApiRefs {
  readonly section: HTMLElement
  readonly endpoint: HTMLElement
  readonly accounts: HTMLTableSectionElement
  readonly selects: Map<string, HTMLSelectElement>
  readonly badges: Map<string, HTMLElement>
  /** What a server following the active reading does (the select cuts long descriptions). */
  readonly descriptions: Map<string, HTMLElement>
  readonly changed: HTMLElement
  readonly delay: HTMLInputElement
  readonly fail: HTMLSelectElement
  readonly faultState: HTMLElement
  readonly outbox: HTMLElement | undefined
  shown: string
}

/**
 * The control panel: for every API the twin holds (whatever they are: the four, imported ones), its endpoint and base
 * URL, the named accounts with copyable tokens, the readings with provenance and why (switched live), a standing
 * fault, rails-users-style outboxes where an API has one; the request journal, live; reset. It is a client of the
 * control JSON API only, so it steers `apitwin serve` (the page at `/__twin/`) and an MSW worker (`controlHandlers`)
 * alike. Plain DOM in a shadow root: no framework, nothing from Node, no style leaking either way.
 * @example
 * import { mountPanel } from 'apitwin/panel'
 * mountPanel() // a floating "apitwin" button at the bottom right
 */
export function mountPanel(options: PanelOptions = {}): PanelHandle {
  const view = new PanelView(new ControlClient(options.base ?? '/__twin', options.fetch), options)
  const host = h('div', { 'data-apitwin-panel': '' })
  const root = host.attachShadow({ mode: 'open' })
  root.append(h('style', {}, PANEL_CSS))
  if (options.target) {
    options.target.append(host)
    root.append(view.element)
    view.start()
  } else {
    // In an app's own page: out of the way until asked for, and polling only while open.
    const drawer = h('div', { class: 'drawer', id: 'apitwin-drawer', hidden: true }, view.element)
    const toggle = h('button', { type: 'button', class: 'toggle', 'aria-expanded': 'false', 'aria-controls': 'apitwin-drawer' }, 'apitwin')
    toggle.addEventListener('click', () => {
      const open = drawer.hidden
      drawer.hidden = !open
      toggle.setAttribute('aria-expanded', String(open))
      toggle.textContent = open ? 'Close apitwin' : 'apitwin'
      if (open) view.start()
      else view.stop()
    })
    root.append(toggle, drawer)
    document.body.append(host)
  }
  return {
    host,
    refresh: () => view.refresh(),
    unmount: () => {
      view.stop()
      host.remove()
    },
  }
}

class PanelView {
  readonly element: HTMLElement
  readonly #client: ControlClient
  readonly #options: PanelOptions
  readonly #meta = h('p', { class: 'meta' })
  readonly #status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' })
  readonly #apis = h('div', { class: 'apis' })
  readonly #nav = h('nav', { 'aria-label': 'APIs' })
  readonly #journal = h('tbody')
  readonly #refs = new Map<string, ApiRefs>()
  #shape = ''
  #lastId = 0
  #timers: number[] = []
  #journalBusy = false

  constructor(client: ControlClient, options: PanelOptions) {
    this.#client = client
    this.#options = options
    const journal = h(
      'section',
      { class: 'journal', 'aria-labelledby': 'apitwin-journal' },
      h('h2', { id: 'apitwin-journal' }, 'Requests ', h('small', {}, 'newest first; secrets masked')),
      h(
        'p',
        {},
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              void this.#act('Journal cleared', async () => {
                await this.#client.clearRequests()
                this.#journal.replaceChildren()
              }),
          },
          'Clear the journal',
        ),
      ),
      h(
        'table',
        { 'aria-label': 'Requests' },
        h('thead', {}, h('tr', {}, ...['Time', 'Method', 'Path', 'Status', 'ms', 'Body'].map((name) => h('th', { scope: 'col' }, name)))),
        this.#journal,
      ),
    )
    this.element = h(
      'div',
      { class: 'panel' },
      h(
        'header',
        { class: 'top' },
        h('div', { class: 'grow' }, h('h1', {}, 'apitwin control'), this.#meta),
        h(
          'button',
          { type: 'button', class: 'danger', onclick: () => void this.#act('Data reset to the seed', () => this.#client.reset()) },
          'Reset data to the seed',
        ),
      ),
      this.#nav,
      this.#status,
      this.#apis,
      journal,
    )
  }

  start(): void {
    if (this.#timers.length > 0) return
    void this.refresh().then(() => this.#pollJournal())
    this.#timers.push(
      window.setInterval(() => void this.refresh(), this.#options.stateMs ?? 2000),
      window.setInterval(() => void this.#pollJournal(), this.#options.journalMs ?? 500),
    )
  }

  stop(): void {
    for (const timer of this.#timers) window.clearInterval(timer)
    this.#timers = []
  }

  async refresh(): Promise<void> {
    let state: ControlState
    try {
      state = await this.#client.state()
    } catch (error) {
      return this.#say(`apitwin is not answering: ${(error as Error).message}`, true)
    }
    this.#meta.textContent = `${state.apis.length} APIs · seed ${state.seed} · ${state.users} users per API · readings and faults apply to the next request`
    // Rebuilt only when the APIs or their rules change; otherwise updated in place, so focus and open bodies stay.
    const shape = JSON.stringify(state.apis.map((api) => [api.name, api.readings.map((reading) => reading.rule)]))
    if (shape !== this.#shape) {
      this.#shape = shape
      this.#refs.clear()
      this.#apis.replaceChildren(...state.apis.map((api) => this.#section(api)))
      // Buttons, not #fragment links: a fragment does not reach into the panel's shadow root.
      this.#nav.replaceChildren(
        'Go to: ',
        ...state.apis.flatMap((api, index) => [
          index > 0 ? ' · ' : '',
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () => {
                const heading = this.#refs.get(api.name)?.section.querySelector('h2')
                heading?.setAttribute('tabindex', '-1')
                heading?.scrollIntoView()
                heading?.focus()
              },
            },
            api.name,
          ),
        ]),
        ' · ',
        h('button', { type: 'button', class: 'link', onclick: () => this.#journal.closest('section')?.scrollIntoView() }, 'requests'),
      )
    }
    for (const api of state.apis) this.#update(api)
    this.element.closest('main')?.setAttribute('aria-busy', 'false')
    if (document.body.dataset['apitwinPanel'] !== 'ready') document.body.dataset['apitwinPanel'] = 'ready'
    await Promise.all(state.apis.map((api) => this.#outbox(api)))
  }

  #section(api: ApiView): HTMLElement {
    const id = `apitwin-api-${api.name}`
    const selects = new Map<string, HTMLSelectElement>()
    const badges = new Map<string, HTMLElement>()
    const descriptions = new Map<string, HTMLElement>()
    const readingRows = api.readings.map((reading) => {
      const select = h(
        'select',
        { 'aria-label': `${api.name} ${reading.rule}: reading`, 'data-rule': reading.rule },
        ...reading.options.map((option) =>
          h(
            'option',
            { value: option.value },
            `${option.value}${option.value === reading.default ? ' (default)' : ''} — ${option.description}`,
          ),
        ),
      )
      select.addEventListener(
        'change',
        () =>
          void this.#act(`${api.name}: ${reading.rule} now follows "${select.value}"`, () =>
            this.#client.setReading(api.name, reading.rule, select.value),
          ),
      )
      const badge = h('span', { class: 'badge', hidden: true }, 'differs from default')
      selects.set(reading.rule, select)
      badges.set(reading.rule, badge)
      const description = h('div', { class: 'muted' })
      descriptions.set(reading.rule, description)
      return h(
        'tr',
        {},
        h('td', {}, h('code', {}, reading.rule), badge, h('div', {}, reading.text)),
        h('td', { class: 'why' }, h('span', { class: 'muted' }, 'inferred — '), reading.why),
        h('td', {}, select, description),
      )
    })
    const delay = h('input', {
      type: 'number',
      min: 0,
      max: 60000,
      step: 100,
      inputmode: 'numeric',
      'aria-label': `${api.name}: delay every request by (ms)`,
    })
    const fail = h(
      'select',
      { 'aria-label': `${api.name}: fail every request with` },
      ...FAILS.map(([value, label]) => h('option', { value }, label)),
    )
    const applyFault = () => {
      const fault: ApiFault = {
        delayMs: Math.max(0, Math.min(60000, Math.round(Number(delay.value) || 0))),
        fail: fail.value === '' ? null : (fail.value as ApiFault['fail']),
      }
      const off = fault.delayMs === 0 && fault.fail === null
      return this.#act(off ? `${api.name}: fault off` : `${api.name}: every request ${describeFault(fault)}`, () =>
        this.#client.setFault(api.name, off ? null : fault),
      )
    }
    delay.addEventListener('change', () => void applyFault())
    fail.addEventListener('change', () => void applyFault())
    const faultState = h('span', { class: 'badge on', hidden: true })
    const changed = h('span', { class: 'muted' })
    const outbox = api.controls['outbox'] === undefined ? undefined : h('div', {}, h('p', { class: 'muted' }, 'No e-mail sent yet.'))
    const accounts = h('tbody')
    const endpoint = h('code', {})
    const refs: ApiRefs = {
      section: h('section'),
      endpoint,
      accounts,
      selects,
      badges,
      descriptions,
      changed,
      delay,
      fail,
      faultState,
      outbox,
      shown: '',
    }
    const section = h(
      'section',
      { class: 'api', 'data-api': api.name, 'aria-labelledby': id },
      h('h2', { id }, api.name, ' ', h('small', {}, api.title)),
      h(
        'p',
        {},
        endpoint,
        ' ',
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Copy base URL of ${api.name}`,
            onclick: () => void this.#copy(api.baseUrl, `${api.name} base URL`),
          },
          'Copy base URL',
        ),
      ),
      h('h3', {}, 'Accounts'),
      h(
        'table',
        { 'aria-label': `${api.name} accounts` },
        h(
          'thead',
          {},
          h('tr', {}, ...['Account', 'User id', 'E-mail', 'Tenant', 'Bearer token'].map((name) => h('th', { scope: 'col' }, name))),
        ),
        accounts,
      ),
      h('h3', {}, 'Readings'),
      h(
        'p',
        {},
        changed,
        ' ',
        h(
          'button',
          {
            type: 'button',
            onclick: () => void this.#act(`${api.name}: every reading back to its default`, () => this.#client.defaultReadings(api.name)),
          },
          `Back to defaults`,
        ),
        ' ',
        h('span', { class: 'muted' }, `${api.documented} documented rules have no readings; these are inferred where the doc is silent.`),
      ),
      api.readings.length === 0
        ? h('p', { class: 'muted' }, 'No inferred rules.')
        : h(
            'table',
            { class: 'readings', 'aria-label': `${api.name} readings` },
            h(
              'thead',
              {},
              h('tr', {}, ...['Rule', 'Why we believe the default', 'Reading'].map((name) => h('th', { scope: 'col' }, name))),
            ),
            h('tbody', {}, ...readingRows),
          ),
      h('h3', {}, 'Faults'),
      h(
        'div',
        { class: 'fault', role: 'group', 'aria-label': `${api.name} faults, for every request until turned off` },
        h('label', {}, 'Delay (ms) ', delay),
        h('label', {}, 'Fail with ', fail),
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              delay.value = '0'
              fail.value = ''
              void applyFault()
            },
          },
          'Turn off',
        ),
        faultState,
      ),
      outbox && h('h3', {}, 'Outbox'),
      outbox,
    )
    this.#refs.set(api.name, { ...refs, section })
    return section
  }

  #update(api: ApiView): void {
    const refs = this.#refs.get(api.name)
    if (!refs) return
    const focused =
      this.element.getRootNode() instanceof ShadowRoot ? (this.element.getRootNode() as ShadowRoot).activeElement : document.activeElement
    refs.endpoint.textContent = `${api.method} ${api.baseUrl}${api.path}`
    const shown = JSON.stringify(api.accounts)
    if (shown !== refs.shown) {
      refs.shown = shown
      refs.accounts.replaceChildren(
        ...api.accounts.map((account) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, account.label),
            h('td', { class: 'mono' }, String(account.userId)),
            h('td', {}, account.email),
            h('td', {}, account.tenant === undefined ? '—' : String(account.tenant)),
            h(
              'td',
              {},
              h('code', { class: 'token', title: account.token }, account.token),
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Copy ${api.name} ${account.label} token`,
                  onclick: () => void this.#copy(account.token, `${api.name} ${account.label} token`),
                },
                'Copy',
              ),
            ),
          ),
        ),
      )
    }
    for (const reading of api.readings) {
      const select = refs.selects.get(reading.rule)
      if (select && select !== focused && select.value !== reading.active) select.value = reading.active
      const badge = refs.badges.get(reading.rule)
      if (badge) badge.hidden = reading.active === reading.default
      const description = refs.descriptions.get(reading.rule)
      if (description) description.textContent = reading.options.find((option) => option.value === reading.active)?.description ?? ''
    }
    refs.changed.textContent =
      api.changed.length === 0
        ? 'Every reading is the default.'
        : `${api.changed.length} of ${api.readings.length} readings differ from the defaults: ${api.changed.join(', ')}.`
    refs.section.dataset['changed'] = String(api.changed.length)
    if (refs.delay !== focused) refs.delay.value = String(api.fault?.delayMs ?? 0)
    if (refs.fail !== focused) refs.fail.value = api.fault?.fail ?? ''
    refs.faultState.hidden = api.fault === null
    refs.faultState.textContent = api.fault ? `on: every request ${describeFault(api.fault)}` : ''
  }

  async #outbox(api: ApiView): Promise<void> {
    const refs = this.#refs.get(api.name)
    const url = api.controls['outbox']
    if (!refs?.outbox || url === undefined) return
    const { emails } = await this.#client
      .read<{ emails: ReadonlyArray<Record<string, unknown>> }>(`/${encodeURIComponent(api.name)}/outbox`)
      .catch(() => ({ emails: [] }))
    if (emails.length === 0) return void refs.outbox.replaceChildren(h('p', { class: 'muted' }, 'No e-mail sent yet.'))
    refs.outbox.replaceChildren(
      h(
        'table',
        { 'aria-label': `${api.name} outbox` },
        h('thead', {}, h('tr', {}, ...['Sent', 'To', 'Subject'].map((name) => h('th', { scope: 'col' }, name)))),
        h(
          'tbody',
          {},
          ...[...emails]
            .reverse()
            .map((email) =>
              h(
                'tr',
                {},
                h('td', { class: 'mono' }, textOf(email['sent_at'])),
                h('td', {}, textOf(email['to'])),
                h('td', {}, textOf(email['subject'])),
              ),
            ),
        ),
      ),
    )
  }

  async #pollJournal(): Promise<void> {
    // One poll at a time: a slow answer (a loaded machine) must not pile requests up.
    if (this.#journalBusy) return
    this.#journalBusy = true
    try {
      const { requests } = await this.#client.requests(this.#lastId)
      // A journal cleared elsewhere (or a restarted server) numbers from 1 again: start over.
      if (requests.length > 0 && (requests[0]?.id ?? 0) <= this.#lastId) this.#journal.replaceChildren()
      for (const entry of requests) {
        this.#journal.prepend(journalRow(entry))
        this.#lastId = entry.id
      }
      while (this.#journal.rows.length > JOURNAL_ROWS) this.#journal.lastElementChild?.remove()
    } catch {
      // The state poll reports an unreachable server; one message is enough.
    } finally {
      this.#journalBusy = false
    }
  }

  /** Runs a change, says what happened (or why not), then shows the new state. */
  async #act(done: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action()
      this.#say(done)
    } catch (error) {
      this.#say(`Not applied: ${(error as Error).message}`, true)
    }
    await this.refresh()
    await this.#pollJournal()
  }

  async #copy(text: string, what: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text)
      this.#say(`Copied the ${what}`)
    } catch {
      // No clipboard (an insecure origin, a denied permission): leave it selectable instead.
      this.#say(`Copy it by hand: ${text}`, true)
    }
  }

  #say(text: string, error = false): void {
    this.#status.textContent = text
    this.#status.classList.toggle('error', error)
  }
}

function describeFault(fault: ApiFault): string {
  const failing = fault.fail === null ? '' : fault.fail === 'network' ? 'drops the connection' : `fails ${fault.fail}`
  const delayed = fault.delayMs > 0 ? `waits ${fault.delayMs} ms` : ''
  return [delayed, failing].filter(Boolean).join(', then ')
}

function journalRow(entry: JournalEntry): HTMLTableRowElement {
  const status = String(entry.status)
  return h(
    'tr',
    { class: 'fresh', 'data-id': entry.id },
    h('td', { class: 'mono' }, entry.time.slice(11, 23)),
    h('td', { class: 'mono' }, entry.method),
    h('td', {}, h('code', {}, entry.path)),
    h('td', { class: `mono s${status === 'dropped' ? 'dropped' : status.charAt(0)}` }, status),
    h('td', { class: 'mono' }, String(entry.ms)),
    h(
      'td',
      {},
      entry.body === undefined
        ? ''
        : h(
            'details',
            {},
            h('summary', {}, 'body'),
            h('pre', {}, typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body, null, 2)),
          ),
    ),
  )
}

/** A JSON value as text for a table cell: strings as they are, anything else as JSON. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value)
}
