// Bundles the entry points that run at every launch into one file each, after tsc has built dist/:
//   dist/preload/index.js  (loaded by every Node process of a profiled tree; runs main.js with a code cache)
//   dist/preload/main.js   (the preload itself)
//   dist/bin/dd-run.js     (the command; runs launcher.js with a code cache)
//   dist/bin/launcher.js   (the launcher)
//   dist/preload/watchdog.js (the watchdog thread of a profiled process)
//   dist/preload/watchdog-send.js (what that thread loads to send profiles taken behind a stall)
// and the report page's script with the parts of d3 it draws with (dist/src/report/page-bundle.{js,css}), which
// html.ts inlines into every report.
// Why: in a profiled process, resolving and loading ~30 small modules one by one (a stat and a realpath each)
// cost more than the code in them. The same holds for @datadog/pprof's JavaScript: the preload bundles the parts it
// uses (see pprofInside) and loads only the native addon from the installed package. Everything else in dist/ stays
// as tsc wrote it (the Profiler API, the subcommands, the tests import it). npm packages stay outside the preload, so
// the app and the profiler share one copy of each (but for @datadog/pprof's JavaScript, above); the launcher inlines
// dotenv, which only it uses (commander, which it seldom needs, stays outside).
import * as fs from 'node:fs'
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

const PPROF_SRC = path.join(ROOT, 'node_modules', '@datadog', 'pprof', 'out', 'src')
const PPROF_VERSION = (require(path.join(ROOT, 'node_modules', '@datadog', 'pprof', 'package.json')) as { version: string }).version
/** The npm packages bundled into the preload: @datadog/pprof's JavaScript and what it loads at start. */
const BUNDLED_PACKAGES = /^(@datadog\/pprof\/out\/src\/|pprof-format$|node-gyp-build$)/

/**
 * Every npm package stays outside the preload but @datadog/pprof's JavaScript and the two small packages it loads.
 * The package's files find the native addon from their own __dirname, which in the bundle is dist/preload: each
 * __dirname there becomes the installed package's out/src (src/profiling/pprof-dir.ts, set by load-pprof.ts, which
 * uses this JavaScript only with an installed package of the same version, PPROF_VERSION), and their node-gyp-build
 * one that looks the addon up once.
 */
const pprofInside: Plugin = {
  name: 'pprof-inside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      // One copy of pprof-format for dd-run's code (ES imports) and pprof's (require): its CommonJS build.
      if (args.path === 'pprof-format') return { path: require.resolve('pprof-format') }
      if (args.path.startsWith('node:') || BUNDLED_PACKAGES.test(args.path)) return undefined
      // The packages pprof's bundled files load in turn, by relative path, resolve normally (the filter skips them).
      return { path: args.path, external: true }
    })
    const dirShim = path.join(ROOT, 'src', 'profiling', 'pprof-dir.ts')
    b.onLoad({ filter: /[\\/]@datadog[\\/]pprof[\\/]out[\\/]src[\\/][^\\/]+\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8')
      if (!text.includes('__dirname')) return undefined
      if (!/node-gyp-build/.test(text)) throw new Error(`${args.path} uses __dirname for something other than its addon`)
      const shim = `require(${JSON.stringify(dirShim)})`
      const contents = text.replace(/\b__dirname\b/g, `${shim}.pprofSrcDir()`).replace(/require\('node-gyp-build'\)/g, `${shim}.nodeGypBuildOnce`)
      return { contents, loader: 'js', resolveDir: PPROF_SRC }
    })
  },
}

/**
 * `import * as fs from 'node:fs'` in each of ~30 bundled modules makes esbuild copy fs's hundred properties into a
 * namespace object once per module (its __toESM), ~2 ms of every profiled process. Routed through one shared ES
 * module per built-in, the copy is made once per built-in. The copies are getters either way: a later patch of
 * fs.readFileSync (graceful-fs and the like) is seen as before.
 */
const builtinsOnce: Plugin = {
  name: 'builtins-once',
  setup(b) {
    b.onResolve({ filter: /^node:(fs|path|os)$/ }, (args) =>
      args.namespace === 'builtin-once' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin-once' },
    )
    b.onLoad({ filter: /.*/, namespace: 'builtin-once' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)}`, loader: 'js' }))
  },
}

async function main(): Promise<void> {
  const common = { bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning', legalComments: 'inline' } as const
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'preload', 'main.ts')],
    outfile: path.join(DIST, 'preload', 'main.js'),
    // The preload must load on any Node the app uses; it refuses the ones older than src/node-support.ts's minimum
    // itself, so it is written for older ones still.
    target: 'node16',
    plugins: [builtinsOnce, pprofInside],
    define: { DD_RUN_BUNDLED_PPROF: JSON.stringify(PPROF_VERSION) },
  })
  // The preload's first stage, the file NODE_OPTIONS names: runs main.js with V8's code cache (src/code-cache.ts).
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'preload', 'index.ts')],
    outfile: path.join(DIST, 'preload', 'index.js'),
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
    entryPoints: [path.join(ROOT, 'bin', 'launcher.ts')],
    outfile: path.join(DIST, 'bin', 'launcher.js'),
    target: 'node20',
    // commander stays in node_modules: the launcher parses the common forms itself (src/cli-args.ts) and loads it
    // only for --help, --version, errors and odd forms, so inlining it made every launch compile its 120 KB.
    external: ['@datadog/pprof', 'pprof-format', 'commander'],
    plugins: [builtinsOnce, subcommandsOutside],
  })
  // The command's first stage: runs launcher.js with V8's code cache (src/code-cache.ts).
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'bin', 'dd-run.ts')],
    outfile: path.join(DIST, 'bin', 'dd-run.js'),
    target: 'node20',
    packages: 'external',
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
