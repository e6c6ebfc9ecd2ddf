// The Node.js versions the tests can run profiled programs on (scripts/node-versions.txt, installed by
// scripts/install-node-versions.sh into .cache/node/<version>/bin/node).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from './paths'

export const NODE_VERSIONS: readonly string[] = fs
  .readFileSync(path.join(ROOT, 'scripts', 'node-versions.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean)

/** The installed binary of the listed version with this major, or undefined when it is not installed here. */
export function nodeBinary(major: number): string | undefined {
  const version = NODE_VERSIONS.find((v) => v.startsWith(`${major}.`))
  if (!version) return undefined
  const bin = path.join(ROOT, '.cache', 'node', version, 'bin', 'node')
  return fs.existsSync(bin) ? bin : undefined
}

/** The installed binary of one listed version (undefined when it is not installed here). */
export function versionBinary(version: string): string | undefined {
  const bin = path.join(ROOT, '.cache', 'node', version, 'bin', 'node')
  return fs.existsSync(bin) ? bin : undefined
}

/**
 * An environment whose `node` is the given binary: its directory first on PATH, so `dd-run node app.js` (and every
 * `spawn('node', ...)` of the app) runs the profiled program on it while the launcher keeps the test's own Node.
 */
export function withNodeOnPath(bin: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: `${path.dirname(bin)}${path.delimiter}${env.PATH ?? ''}` }
}
