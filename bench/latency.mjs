// One connection, one request at a time: the latency of a single update, free of queueing, in µs (autocannon
// reports whole milliseconds). Prints {"p50":…,"p99":…,"non2xx":…} as JSON. Used by bench/put.ts.
// usage: node bench/latency.mjs METHOD URL TOKEN BODY [requests]   (BODY's "[<id>]" becomes a fresh number)
import http from 'node:http'

const [method, url, token, body, count = '3000'] = process.argv.slice(2)
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
let n = 0
let non2xx = 0
const once = () =>
  new Promise((resolve, reject) => {
    const payload = body.replaceAll('[<id>]', String(n++))
    const started = process.hrtime.bigint()
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        if (res.statusCode < 200 || res.statusCode > 299) non2xx++
        res.resume()
        res.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1000))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
for (let i = 0; i < 500; i++) await once()
const samples = []
for (let i = 0; i < Number(count); i++) samples.push(await once())
samples.sort((a, b) => a - b)
const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]
console.log(JSON.stringify({ p50: at(0.5), p99: at(0.99), non2xx }))
agent.destroy()
