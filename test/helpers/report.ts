// Profiles made the way users make them (dd-run -o <dir> node <fixture>), for the report, top and diff tests.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { cleanEnv, ddRun } from './run'

/** Runs `dd-run -q -o dir node ...args` in a fresh directory and returns the run id its profiles carry. */
export async function profileRun(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await ddRun(['-q', '-o', dir, 'node', ...args], { env: cleanEnv({ DD_SERVICE: 'report-test', ...env }), timeoutMs: 60_000 })
  assert.equal(r.code, 0, `dd-run failed: ${r.stderr}`)
  const runIds = new Set<string>()
  for (const file of eventFiles(dir)) {
    const tags = String(JSON.parse(fs.readFileSync(file, 'utf8')).tags_profiler)
    const m = /(?:^|,)run_id:([^,]+)/.exec(tags)
    if (m) runIds.add(m[1] as string)
  }
  const known = [...runIds]
  assert.equal(known.length, 1, `expected the profiles of one run in ${dir}, found run ids ${JSON.stringify(known)}; stderr: ${r.stderr}`)
  return known[0] as string
}

export function eventFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name))
      else if (e.name === 'event.json') out.push(path.join(d, e.name))
    }
  }
  walk(dir)
  return out
}

/** Every file of one directory tree copied into another (to put two runs in one directory). */
export function copyInto(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true })
}
