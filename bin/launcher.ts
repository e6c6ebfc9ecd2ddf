// dd-run's launcher, run by dist/bin/dd-run.js (bin/dd-run.ts, with V8's code cache) as dist/bin/launcher.js:
// everything happens in main(); this only puts back the NODE_OPTIONS the wrapper kept aside and turns main's answer
// into the exit code.
import { main } from '../src/cli'
import { restoreNodeOptions } from '../src/launch/node-options'

restoreNodeOptions(process.env)

main(process.argv).then(
  (code) => {
    if (code !== undefined) process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`dd-run: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exitCode = 70
  },
)
