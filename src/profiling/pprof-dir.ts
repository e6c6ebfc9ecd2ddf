// Where the installed @datadog/pprof keeps its compiled JavaScript (out/src), for its native addon when that
// JavaScript runs from the preload bundle: the package finds its addon from its own __dirname, which in the bundle
// would be dist/preload. scripts/bundle.ts rewrites those __dirname uses to call pprofSrcDir(), and their
// node-gyp-build to nodeGypBuildOnce(); load-pprof.ts sets the directory before it requires them.
let srcDir: string | undefined
const addons = new Map<string, unknown>()

export function setPprofSrcDir(dir: string): void {
  srcDir = dir
}

export function pprofSrcDir(): string {
  if (srcDir === undefined) throw new Error('@datadog/pprof was required before its directory was known')
  return srcDir
}

/**
 * node-gyp-build, once per directory: three of the package's files look the addon up, and each lookup lists the
 * prebuilds directory and reads package.json again (a few ms per process on a slow disk).
 */
export function nodeGypBuildOnce(dir: string): unknown {
  if (!addons.has(dir)) addons.set(dir, (require('node-gyp-build') as (d: string) => unknown)(dir))
  return addons.get(dir)
}
