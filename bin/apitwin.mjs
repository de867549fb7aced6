#!/usr/bin/env node
// Runs the built JavaScript in dist/ (made by `npm run build`, which `npm ci`, `npm install` and `npm pack` run
// through the prepare/prepack scripts), so nothing compiles TypeScript at run time.
let cli
try {
  cli = await import('../dist/server/cli.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist')) throw error
  console.error('apitwin: dist/ is missing; run "npm run build" in the apitwin checkout (npm ci and npm install do it for you)')
  process.exit(2)
}
try {
  process.exitCode = await cli.main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
  })
} catch (error) {
  console.error(error)
  process.exitCode = 1
}
