// doctor's Node.js check. Two Node binaries matter and may differ: the one running dd-run (the launcher) and the
// `node` on PATH, which `dd-run node app.js` runs as the profiled program. Each is held to its own minimum
// (src/node-support.ts): a profiled `node` too old for the profiler fails; a launcher older than the one it is
// tested on only warns, since it got as far as running doctor.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { which } from '../which'
import { LAUNCHER_MIN_NODE_MAJOR, nodeMajor, PROFILED_MIN_NODE_MAJOR } from '../node-support'
import type { Check } from './check'

/** The version of the `node` on PATH, or undefined when there is none (or it does not answer). */
export function pathNodeVersion(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const found = which('node', env, cwd)
  if (found.kind !== 'found') return undefined
  if (sameFile(found.file, process.execPath)) return process.version
  try {
    return execFileSync(found.file, ['-p', 'process.version'], { env: { ...env, NODE_OPTIONS: '' }, timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b)
  } catch {
    return false
  }
}

export function nodeVersionCheck(launcher: string, program: string | undefined): Check {
  const name = 'Node.js'
  const needs = `profiled programs need Node ${PROFILED_MIN_NODE_MAJOR}+, dd-run itself ${LAUNCHER_MIN_NODE_MAJOR}+`
  const shown = program === undefined ? 'no node on PATH' : program === launcher ? program : `${program} on PATH, dd-run on ${launcher}`
  if (program !== undefined && !(nodeMajor(program) >= PROFILED_MIN_NODE_MAJOR)) {
    return { name, status: 'failure', detail: `${shown}: ${program} is older than ${PROFILED_MIN_NODE_MAJOR} (${needs})`, fix: `run your program on Node.js ${PROFILED_MIN_NODE_MAJOR} or newer (the preload stays off on older versions)` }
  }
  if (!(nodeMajor(launcher) >= LAUNCHER_MIN_NODE_MAJOR)) {
    return { name, status: 'warning', detail: `${shown}: dd-run itself is tested on Node ${LAUNCHER_MIN_NODE_MAJOR}+ only (${needs})`, fix: `run dd-run with Node.js ${LAUNCHER_MIN_NODE_MAJOR} or newer; the program may keep its Node` }
  }
  if (program === undefined) return { name, status: 'warning', detail: `${shown}: \`dd-run node app.js\` will not find node (${needs})`, fix: 'put node on PATH, or name its full path in the command' }
  return { name, status: 'ok', detail: `${shown} is supported (${needs})` }
}
