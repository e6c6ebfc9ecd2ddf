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
