// The report's process tree names each process's command: the file exporter keeps it in process.json, beside the
// bundles, and never in event.json (which is what an agent receives).
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { fixture } from '../helpers/paths'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

test('process.json holds the command; event.json does not; the report shows it', async () => {
  const dir = tempDir()
  const out = path.join(dir, 'profiles')
  const r = await ddRun(['-q', '-o', out, '-s', 'cmdtest', 'node', fixture('profiling/cpu-burn.js'), '300'], { cwd: dir, env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  const [proc] = fs.readdirSync(path.join(out, 'cmdtest'))
  const procDir = path.join(out, 'cmdtest', proc as string)
  const facts = JSON.parse(fs.readFileSync(path.join(procDir, 'process.json'), 'utf8'))
  assert.match(facts.command, /^node .*cpu-burn\.js 300$/)
  assert.equal(fs.statSync(path.join(procDir, 'process.json')).mode & 0o777, 0o600)
  for (const b of fs.readdirSync(procDir).filter((n) => n !== 'process.json')) {
    // The command line (script path, arguments) stays local; Datadog gets only what dd-trace-js sends of it, the
    // script's name in process_tags (entrypoint.name).
    const event = fs.readFileSync(path.join(procDir, b, 'event.json'), 'utf8')
    assert.doesNotMatch(event, /cpu-burn\.js|profiling\/cpu-burn| 300/)
    assert.match((JSON.parse(event) as { process_tags: string }).process_tags, /entrypoint\.name:cpu-burn/)
  }
  const html = path.join(dir, 'report.html')
  const rep = await ddRun(['report', out, '-o', html], { cwd: dir, env: cleanEnv() })
  assert.equal(rep.code, 0, rep.stderr)
  assert.match(fs.readFileSync(html, 'utf8'), /cpu-burn\.js 300/)
})
