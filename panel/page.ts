// The control page's script (`GET /__twin/` loads it from /__twin/assets/): the panel, inline, on the whole page.
import { mountPanel } from './mount-panel.ts'

const main = document.getElementById('apitwin-control')
if (main) mountPanel({ target: main })
