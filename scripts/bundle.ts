// Bundles the entry points that run at every launch into one file each, after tsc has built dist/:
//   dist/preload/index.js  (loaded by every Node process of a profiled tree)
//   dist/bin/dd-run.js     (the launcher)
//   dist/preload/watchdog.js (the watchdog thread of a profiled process)
//   dist/preload/watchdog-send.js (what that thread loads to send profiles taken behind a stall)
// and the report page's script with the parts of d3 it draws with (dist/src/report/page-bundle.{js,css}), which
// html.ts inlines into every report.
// Why: in a profiled process, resolving and loading ~30 small modules one by one (a stat and a realpath each)
// cost more than the code in them. Everything else in dist/ stays as tsc wrote it (the Profiler API, the
// subcommands, the tests import it). npm packages stay outside the preload, so the app and the profiler share
// one copy of each; the launcher inlines dotenv, which only it uses (commander, which it seldom needs, stays outside).
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
  // What that thread loads when a bundle taken behind a stall is for the agent or the intake (the exporters).
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'src', 'profiling', 'watchdog', 'send.ts')],
    outfile: path.join(DIST, 'preload', 'watchdog-send.js'),
    target: 'node16',
    packages: 'external',
  })
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'bin', 'dd-run.ts')],
    outfile: path.join(DIST, 'bin', 'dd-run.js'),
    target: 'node20',
    // commander stays in node_modules: the launcher parses the common forms itself (src/cli-args.ts) and loads it
    // only for --help, --version, errors and odd forms, so inlining it made every launch compile its 120 KB.
    external: ['@datadog/pprof', 'pprof-format', 'commander'],
    plugins: [subcommandsOutside],
  })
  await bundlePage()
}

/**
 * The report page's script: page.ts plus only the d3 modules d3-flame-graph imports (selection, transition, scale,
 * hierarchy, format, ...), tree-shaken and minified at build time, about a quarter of d3's and d3-flame-graph's
 * full builds. d3 and d3-flame-graph are therefore build-time dependencies only: a report reads these two files.
 */
async function bundlePage(): Promise<void> {
  await build({
    stdin: {
      contents: [
        "import { select } from 'd3-selection'",
        "import flamegraph, { colorMapper } from 'd3-flame-graph'",
        "import { pageMain } from './src/report/page'",
        'pageMain({ select, flamegraph, differentialColorMapper: colorMapper.differentialColorMapper })',
      ].join('\n'),
      resolveDir: ROOT,
      sourcefile: 'report-page-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    banner: { js: '/*! dd-run report page. Includes d3 modules (ISC, Mike Bostock) and d3-flame-graph (Apache-2.0, Martin Spier). */' },
    logLevel: 'warning',
    outfile: path.join(DIST, 'src', 'report', 'page-bundle.js'),
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
