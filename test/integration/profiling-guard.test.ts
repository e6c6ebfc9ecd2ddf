// The preload's guards and promises to the host app: one profiler per process however often it is required, a
// small import graph, a clear single line when the native addon cannot load, an unwritable output directory
// that costs one warning and nothing else, and a preload that works without the launcher.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { DD_RUN, PRELOAD, ROOT, fixture } from '../helpers/paths'
import { assertIntakeShape, listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir } from '../helpers/run'

const prof = (name: string) => fixture(path.join('profiling', name))

test('the preload required twice (cache cleared, second path) starts one profiler', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', prof('double-require.js'), PRELOAD], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'required twice\n')
  assert.doesNotMatch(r.stderr, /profiling is off|already started/)
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1, bundles.map((b) => b.dir).join('\n'))
  assertIntakeShape(bundles[0]!)
  assert.match(r.stderr, /run summary: 1 Node process, 1 profiled, 1 bundle/)
})

test("the profiled process loads no commander, dotenv or execa, dd-run as one file, and @datadog/pprof from dd-run's install", async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', prof('modules.js')], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  const loaded = JSON.parse(r.stdout) as string[]
  assert.ok(loaded.includes(path.join(ROOT, 'dist', 'preload', 'index.js')), loaded.join('\n'))
  // The preload is bundled (scripts/bundle.ts): none of dd-run's modules is resolved and loaded on its own.
  assert.deepEqual(loaded.filter((m) => m.startsWith(path.join(ROOT, 'dist', 'src'))), [])
  const pprof = loaded.filter((m) => m.includes(`${path.sep}@datadog${path.sep}pprof${path.sep}`))
  assert.ok(pprof.length > 0 && pprof.every((m) => m.startsWith(path.join(ROOT, 'node_modules'))), pprof.join('\n'))
  // Its JavaScript is bundled into the preload too: only the native addon (and the package.json node-gyp-build
  // reads its name from) are loaded from the package. The bundled modules are in the module cache under the
  // package's own file names, for an app that loads the same install (load-pprof.ts); its index, source-map support
  // and the rest are not loaded.
  const js = pprof.filter((m) => !m.endsWith('.node') && !m.endsWith(`${path.sep}package.json`)).map((m) => path.basename(m))
  assert.deepEqual(js.sort(), ['heap-profiler-bindings.js', 'heap-profiler.js', 'profile-encoder.js', 'profile-serializer.js', 'time-profiler-bindings.js', 'time-profiler.js'])
  const heavy = loaded.filter((m) => /node_modules[\\/](commander|dotenv|execa)[\\/]/.test(m))
  assert.deepEqual(heavy, [])
})

test('a broken native addon: the app runs unchanged and stderr says so in one line', async () => {
  // A copy of dd-run's install whose @datadog/pprof has no prebuilt binaries: the real loader fails the real way.
  const install = tempDir('dd-run-broken-')
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(install, 'package.json'))
  for (const d of ['preload', 'src']) fs.cpSync(path.join(ROOT, 'dist', d), path.join(install, 'dist', d), { recursive: true })
  const modules = path.join(install, 'node_modules')
  fs.mkdirSync(path.join(modules, '@datadog'), { recursive: true })
  const pprofDir = path.join(ROOT, 'node_modules', '@datadog', 'pprof')
  fs.cpSync(pprofDir, path.join(modules, '@datadog', 'pprof'), { recursive: true, filter: (src) => !src.startsWith(path.join(pprofDir, 'prebuilds')) && !src.startsWith(path.join(pprofDir, 'build')) })
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name !== '@datadog' && !name.startsWith('.')) fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name))
  }
  const out = tempDir()
  const script = "console.log('app ran'); process.exitCode = 4"
  const r = await start(process.execPath, ['-e', script], {
    env: cleanEnv({ NODE_OPTIONS: `--require "${path.join(install, 'dist', 'preload', 'index.js')}"`, DD_PROFILING_OUTPUT_DIR: out }),
  }).done
  assert.equal(r.code, 4)
  assert.equal(r.stdout, 'app ran\n')
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, r.stderr)
  assert.match(lines[0]!, /^dd-run: profiling is off in this process: the native profiler \(@datadog\/pprof\) could not load: No native build was found/)
  assert.deepEqual(listBundles(out), [])
})

/**
 * A node_modules in `dir` holding a copy of @datadog/pprof (its JavaScript and this platform's addon, `edit` applied
 * to its package.json) beside links to every other package of dd-run's own install. Returns the copy's directory.
 */
function pprofCopy(dir: string, edit: (pkg: { version: string }) => object = (pkg) => pkg): string {
  const modules = path.join(dir, 'node_modules')
  const copy = path.join(modules, '@datadog', 'pprof')
  fs.mkdirSync(path.join(modules, '@datadog'), { recursive: true })
  const pprofDir = path.join(ROOT, 'node_modules', '@datadog', 'pprof')
  const prebuilds = path.join(pprofDir, 'prebuilds')
  const own = path.join(prebuilds, `${process.platform}-${process.arch}`)
  fs.cpSync(pprofDir, copy, { recursive: true, filter: (src) => !src.startsWith(prebuilds) || src === prebuilds || src.startsWith(own) })
  const pkgFile = path.join(copy, 'package.json')
  fs.writeFileSync(pkgFile, JSON.stringify(edit(JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string })))
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name !== '@datadog' && !name.startsWith('.')) fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name))
  }
  return copy
}

test('an installed @datadog/pprof of another version than the bundled one: its own JavaScript is loaded, and the process is profiled', async () => {
  // A copy of dd-run's install whose @datadog/pprof says another version: the JavaScript bundled into the preload
  // must not drive that addon, so the package's own files are loaded one by one (src/profiling/load-pprof.ts).
  const install = tempDir('dd-run-other-pprof-')
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(install, 'package.json'))
  for (const d of ['preload', 'src']) fs.cpSync(path.join(ROOT, 'dist', d), path.join(install, 'dist', d), { recursive: true })
  const copy = pprofCopy(install, (pkg) => ({ ...pkg, version: `${pkg.version}-other` }))
  const out = tempDir()
  const r = await start(process.execPath, [prof('modules.js')], {
    env: cleanEnv({ NODE_OPTIONS: `--require "${path.join(install, 'dist', 'preload', 'index.js')}"`, DD_PROFILING_OUTPUT_DIR: out }),
  }).done
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stderr, '')
  const loaded = JSON.parse(r.stdout) as string[]
  assert.ok(loaded.includes(path.join(copy, 'out', 'src', 'time-profiler.js')), loaded.join('\n'))
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1)
  assertIntakeShape(bundles[0]!)
})

test('a second @datadog/pprof in the app stops the heap profiler under dd-run: the final bundle keeps the rest, one line says why', async () => {
  // As when dd-run is installed globally and the app starts dd-trace-js (with its own copy of the addon) in its
  // code: both copies drive V8's one sampling heap profiler, and the app's stop() stops dd-run's too. That used to
  // lose the whole final bundle (the exit's take threw) and say only "still running or killed".
  const dir = tempDir('dd-run-second-pprof-')
  const copy = pprofCopy(dir)
  const app = path.join(dir, 'app.js')
  fs.writeFileSync(app, [
    `const pprof = require(${JSON.stringify(copy)})`,
    'pprof.heap.start(512 * 1024, 64)',
    'const keep = []',
    'for (let i = 0; i < 200; i++) keep.push(new Array(10000).fill(i))',
    'pprof.heap.stop()',
    'console.log("app done", keep.length)',
    'process.exitCode = 3',
  ].join('\n'))
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', app], { env: cleanEnv() })
  assert.equal(r.code, 3, r.stderr)
  assert.equal(r.stdout, 'app done 200\n')
  const lines = r.stderr.split('\n').filter((l) => /^dd-run: the heap profile could not be taken: .*\(pid \d+\)$/.test(l))
  assert.equal(lines.length, 1, r.stderr)
  assert.doesNotMatch(r.stderr, /still running or killed/)
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1, r.stderr)
  const files = fs.readdirSync(bundles[0]!.dir)
  assert.ok(files.includes('wall.pprof'), files.join(' '))
  assert.ok(!files.includes('space.pprof'), files.join(' '))
})

test('an output directory that cannot be created: one warning, the app runs on with its exit code', async () => {
  const base = tempDir()
  fs.writeFileSync(path.join(base, 'a-file'), 'not a directory')
  const out = path.join(base, 'a-file', 'profiles')
  const r = await ddRun(['-o', out, '--upload-period', '1', 'node', prof('cpu-burn.js'), '2200'], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  const warnings = r.stderr.split('\n').filter((l) => /^dd-run: file: /.test(l))
  assert.equal(warnings.length, 1, r.stderr)
  assert.match(warnings[0]!, /ENOTDIR.*the app runs on/)
  assert.match(r.stderr, /profiled, 0 bundles.*failures: file: ENOTDIR/)
})

test('--quiet: no run summary; the profiles are still written', async () => {
  const out = tempDir()
  const r = await ddRun(['-q', '-o', out, 'node', '-e', '0'], { env: cleanEnv() })
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  assert.equal(listBundles(out).length, 1)
})

test('without the launcher, the preload alone writes profiles (no run id, no report)', async () => {
  const out = tempDir()
  const r = await start(process.execPath, ['-e', 'setTimeout(() => {}, 50)'], {
    env: cleanEnv({ NODE_OPTIONS: `--require "${PRELOAD}"`, DD_PROFILING_OUTPUT_DIR: out, DD_SERVICE: 'alone' }),
  }).done
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stderr, '')
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1)
  assertIntakeShape(bundles[0]!)
  assert.equal(bundles[0]!.tags.service, 'alone')
  assert.equal(bundles[0]!.tags.run_id, undefined)
  assert.equal(bundles[0]!.tags.process_role, 'main')
})

test('dd-run started inside a run (nested launch) is not profiled itself; the program it runs is', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', DD_RUN, '-q', 'node', '-e', '0'], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /dd-run\.js -q node -e 0: dormant \(dd-run itself/)
  const roles = listBundles(out).map((b) => b.tags.process_role)
  assert.deepEqual(roles, ['main'], 'the inner run profiles its program as the main process of its own run')
})
