// The baseline, as issue 12 defines it: a bare node:http server that reads the body and answers a fixed JSON.
// apitwin's throughput is reported as a ratio to this, measured in the same run.
import http from 'node:http'

const answer = JSON.stringify({ success: 'ok', data: { id: 1, title: 'bench', is_active: true } })
const server = http.createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(answer)
  })
})
server.listen(0, '127.0.0.1', () => console.log(`bare serving at http://127.0.0.1:${server.address().port}`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
