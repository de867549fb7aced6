/** Attributes for `h`: strings set as attributes, `false`/`undefined` left out, functions bound as `on<event>` listeners. */
export type Attributes = Readonly<Record<string, string | number | boolean | undefined | ((event: Event) => void)>>

/** A child for `h`: an element, text, or nothing (skipped, so optional parts read inline). */
export type Child = Node | string | false | null | undefined

/**
 * Builds an element: the panel's only DOM helper, so the panel needs no framework (and a bundle that imports it
 * carries a few kilobytes). Text is always set as text, never parsed as HTML, so a journal body cannot inject markup.
 * @example h('button', { type: 'button', onclick: () => reset() }, 'Reset')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value)
    else if (value === true) element.setAttribute(name, '')
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value))
  }
  for (const child of children) if (child !== false && child !== null && child !== undefined) element.append(child)
  return element
}
