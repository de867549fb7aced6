// CPU per request-log line through the stdout sink (server/log.ts), N lines per event-loop turn as a busy server
// logs them. Run with stdout redirected, as a server's log usually is:
//   npm run build && node bench/log-cost.mjs > /dev/null      (LINES_PER_TURN, default 1 and 3)
import { requestLog, stdoutSink } from '../dist/server/log.js'

const log = requestLog('text', stdoutSink())
const turns = 200_000
for (const perTurn of (process.env.LINES_PER_TURN ?? '1,3').split(',').map(Number)) {
  // The same loop without logging, so the event loop's own cost per turn is taken out.
  const cost = async (logging) => {
    const started = process.cpuUsage()
    let done = 0
    await new Promise((resolve) => {
      const turn = () => {
        if (logging) for (let i = 0; i < perTurn; i++) log('PUT', '/flextell/api/v1/users/100', 200, 0.1234 + i)
        if (++done < turns) setImmediate(turn)
        else setImmediate(resolve)
      }
      turn()
    })
    const used = process.cpuUsage(started)
    return used.user + used.system
  }
  const empty = await cost(false)
  const logged = await cost(true)
  process.stderr.write(`${perTurn} line(s) per turn: ${((logged - empty) / (turns * perTurn)).toFixed(2)} µs CPU per line\n`)
}
