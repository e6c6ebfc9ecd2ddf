// Where the installed @datadog/pprof keeps its compiled JavaScript (out/src), for its native addon when that
// JavaScript runs from the preload bundle: the package finds its addon from its own __dirname, which in the bundle
// would be dist/preload. scripts/bundle.ts rewrites those __dirname uses to call pprofSrcDir(), and their
// node-gyp-build to nodeGypBuildOnce(); load-pprof.ts sets the directory before it requires them.
// fs and path as ES imports: in the bundle, a require() of either inside a function copies the module's hundred
// properties at every call (esbuild's __toCommonJS), an import shares the bundle's one copy.
import * as fs from 'node:fs'
import * as path from 'node:path'

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
  if (!addons.has(dir)) {
    const known = knownPrebuild(dir)
    addons.set(dir, known !== undefined ? require(known) : (require('node-gyp-build') as (d: string) => unknown)(dir))
  }
  return addons.get(dir)
}

/**
 * The file node-gyp-build would pick in the common case, found without its lookup (reading package.json, listing
 * two directories and parsing every file name: about 0.4 ms of every profiled process's start). Only for the
 * package version the bundle was built from, whose prebuilds are named `dd_pprof.node.abi<ABI>.node`; only on
 * glibc Linux, with no local build and none of the variables that steer node-gyp-build. Anything else, or a file
 * that is not there: undefined, and node-gyp-build decides as it always did.
 */
export function knownPrebuild(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform !== 'linux' || !process.versions.modules || process.versions.electron) return undefined
  for (const name of ['npm_config_arch', 'npm_config_platform', 'LIBC', 'PREBUILDS_ONLY', '@DATADOG/PPROF_PREBUILD']) {
    if (env[name] !== undefined) return undefined
  }
  // A local build wins in node-gyp-build; musl prebuilds are picked on Alpine (the check it makes).
  if (fs.existsSync(path.join(dir, 'build')) || fs.existsSync('/etc/alpine-release')) return undefined
  const file = path.join(dir, 'prebuilds', `linux-${process.arch}`, `dd_pprof.node.abi${process.versions.modules}.node`)
  return fs.existsSync(file) ? file : undefined
}
