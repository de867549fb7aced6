// The baseline: a bare node:http server doing the least an update endpoint does (read the body, parse it,
// answer JSON). apitwin's throughput is reported as a ratio to this, measured in the same run.
import http from 'node:http'

const server = http.createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    const input = JSON.parse(body || '{}')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ success: 'ok', data: { id: 1, ...input } }))
  })
})
server.listen(0, '127.0.0.1', () => console.log(`bare serving at http://127.0.0.1:${server.address().port}`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
