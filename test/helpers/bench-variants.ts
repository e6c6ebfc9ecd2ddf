// Running bench variants in tests: the batch app under one variant, and whether a dd-trace-js variant hooks modules
// (a probe script loads node:http and records whether dd-trace's http channels have subscribers: the profiler-only
// variants must hook nothing, the traced ones must hook http).
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { APPS, VARIANTS, type VariantName } from '../../bench/lib/variants'
import { closedPort } from '../../bench/lib/workload'
import { start, tempDir } from './run'

/** The batch app (3 s of fixed work) under `variant`: its profiles' directory and the app's own result. */
export async function runBatch(variant: VariantName): Promise<{ outDir: string; result: { workMs: number; maxRssKb: number } }> {
  const dir = tempDir('dd-run-bench-test-')
  const outDir = path.join(dir, 'out')
  fs.mkdirSync(outDir)
  const resultFile = path.join(dir, 'result.json')
  const cmd = VARIANTS[variant].command({ script: path.join(APPS, 'batch.js'), args: [resultFile, '3000'], outDir, uploadPeriod: 60, closedPort: await closedPort() })
  const r = await start(cmd.file, cmd.args, { env: cmd.env, cwd: cmd.cwd, timeoutMs: 60_000 }).done
  assert.equal(r.code, 0, `${variant} failed: ${r.stderr}`)
  return { outDir, result: JSON.parse(fs.readFileSync(resultFile, 'utf8')) }
}

const PROBE =
  "require('node:http'); const dc = require('node:diagnostics_channel');" +
  "require('node:fs').writeFileSync(process.argv[2], JSON.stringify([dc.channel('apm:http:server:request:start').hasSubscribers, dc.channel('apm:http:client:request:start').hasSubscribers]))"

/** Runs the probe under each variant and checks [server hooked, client hooked] against what is expected. */
export async function assertHooks(cases: readonly (readonly [VariantName, readonly [boolean, boolean]])[]): Promise<void> {
  const dir = tempDir('dd-run-bench-hooks-')
  const probe = path.join(dir, 'probe.js')
  fs.writeFileSync(probe, PROBE)
  const port = await closedPort()
  for (const [variant, expected] of cases) {
    const out = path.join(dir, variant)
    fs.mkdirSync(out)
    const cmd = VARIANTS[variant].command({ script: probe, args: [path.join(out, 'hooks.json')], outDir: out, uploadPeriod: 60, closedPort: port })
    const r = await start(cmd.file, cmd.args, { env: cmd.env, cwd: cmd.cwd }).done
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'hooks.json'), 'utf8')), expected, variant)
  }
}
