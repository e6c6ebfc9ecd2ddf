// Bundles the two entry points that run at every launch into one file each, after tsc has built dist/:
//   dist/preload/index.js  (loaded by every Node process of a profiled tree)
//   dist/bin/dd-run.js     (the launcher)
//   dist/preload/watchdog.js (the watchdog thread of a profiled process)
// Why: in a profiled process, resolving and loading ~30 small modules one by one (a stat and a realpath each)
// cost more than the code in them. Everything else in dist/ stays as tsc wrote it (the Profiler API, the
// subcommands, the tests import it). npm packages stay outside the preload, so the app and the profiler share
// one copy of each; the launcher inlines commander and dotenv, which only it uses.
import * as path from 'node:path'
import { build, type Plugin } from 'esbuild'

const ROOT = path.resolve(__dirname, '..', '..')
const DIST = path.join(ROOT, 'dist')

/** The subcommands stay separate files (tsc's output): `dd-run node app.js` does not parse the report's code. */
const subcommandsOutside: Plugin = {
  name: 'subcommands-outside',
  setup(b) {
    const index = path.join(ROOT, 'src', 'commands', 'index.ts')
    b.onResolve({ filter: /^\.\// }, (args) => {
      if (args.importer !== index) return undefined
      const target = path.join(DIST, 'src', 'commands', `${args.path.slice(2)}.js`)
      return { path: `./${path.relative(path.join(DIST, 'bin'), target)}`, external: true }
    })
  },
}

async function main(): Promise<void> {
  const common = { bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning', legalComments: 'inline' } as const
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'preload', 'index.ts')],
    outfile: path.join(DIST, 'preload', 'index.js'),
    // The preload must load on any Node the app uses; it refuses the ones older than src/node-support.ts's minimum
    // itself, so it is written for older ones still.
    target: 'node16',
    packages: 'external',
  })
  // The watchdog thread's script: started by the preload in profiled main threads (src/profiling/watchdog/).
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'preload', 'watchdog.ts')],
    outfile: path.join(DIST, 'preload', 'watchdog.js'),
    target: 'node16',
    packages: 'external',
  })
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'bin', 'dd-run.ts')],
    outfile: path.join(DIST, 'bin', 'dd-run.js'),
    target: 'node20',
    external: ['@datadog/pprof', 'chalk', 'pprof-format', 'd3', 'd3-flame-graph'],
    plugins: [subcommandsOutside],
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
