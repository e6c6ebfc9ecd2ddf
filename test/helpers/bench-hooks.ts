// Whether a dd-trace-js bench variant hooks modules: a probe script loads node:http and records whether dd-trace's
// http channels have subscribers. The profiler-only variants must hook nothing, the traced ones must hook http.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { VARIANTS, type VariantName } from '../../bench/lib/variants'
import { closedPort } from '../../bench/lib/workload'
import { start, tempDir } from './run'

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
