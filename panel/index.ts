/**
 * `apitwin/panel`: the control panel for a page that mocks with MSW's service worker, and the MSW handlers of the
 * control JSON API it talks to. Import it in development only; a bundle that does not import it carries none of it.
 *
 * @example
 * import { setupWorker } from 'msw/browser'
 * import { defaultTwin, handlers } from 'apitwin/handlers/flextell'
 * const worker = setupWorker(...handlers)
 * await worker.start()
 * if (import.meta.env.DEV) {
 *   const { controlHandlers, mountPanel } = await import('apitwin/panel')
 *   worker.use(...controlHandlers(await defaultTwin()))
 *   mountPanel()
 * }
 */
export { ControlClient, ControlError } from './control-client.ts'
export { h, type Attributes, type Child } from './dom.ts'
export { mountPanel, type PanelHandle, type PanelOptions } from './mount-panel.ts'
export { PANEL_CSS } from './panel-styles.ts'
export { controlHandlers, type ControlHandlerOptions } from '../handlers/control-handlers.ts'
export type { ApiView, ControlState, ReadingView } from '../handlers/control-api.ts'
export type { ApiFault } from '../handlers/live-controls.ts'
