#!/usr/bin/env node
// dd-run's executable: everything happens in main(); this only turns its answer into the exit code.
import { main } from '../src/cli'

main(process.argv).then(
  (code) => {
    if (code !== undefined) process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`dd-run: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exitCode = 70
  },
)
