// The CI-sized soak (bench/soak.ts runs the 10-minute one): an HTTP server under steady load with a 1 s upload
// period for a minute, against an agent that accepts everything and, at the same time, against a dead one. Reports
// the RSS slope and the export latency; asserts only robust things: the server exits normally, no profile_seq is
// missing beyond what dd-run counted as lost, and the RSS growth stays within a generous bound.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { soak } from '../../bench/lib/soak'

const SECONDS = Number(process.env.DD_RUN_SOAK_SECONDS || 60)

it(`soak: ${SECONDS} s under load, 1 s upload period, agent up and agent dead`, { timeout: (SECONDS + 120) * 1000 }, async (t) => {
  const [up, dead] = await Promise.all([soak({ seconds: SECONDS, agent: 'up' }), soak({ seconds: SECONDS, agent: 'dead' })])
  for (const r of [up, dead]) t.diagnostic(JSON.stringify(r))
  for (const r of [up, dead]) {
    assert.equal(r.exitCode, 0, JSON.stringify(r))
    assert.ok(r.requests > SECONDS * 10, `${r.requests} requests`)
    // Generous: a leak of one bundle a second (tens of KB) would pass 100 MB within a few minutes, not one.
    assert.ok(r.rssMb.max - r.rssMb.first < 100, JSON.stringify(r.rssMb))
  }
  // With the agent up, every period arrives, in sequence, unless dd-run counted it as lost.
  assert.ok(up.uploads >= SECONDS / 2, `${up.uploads} uploads in ${SECONDS} s`)
  assert.ok(up.missing.length <= up.failed + up.dropped, `missing ${up.missing} with ${up.failed} failed and ${up.dropped} dropped`)
  assert.ok(up.latencyMs)
  // With the agent dead: every period is counted as lost, with one warning, and the app never notices.
  assert.ok(dead.failed + dead.dropped >= SECONDS / 2, `${dead.failed} failed, ${dead.dropped} dropped`)
  assert.equal(dead.warnings.filter((w) => /cannot upload to the agent/.test(w)).length, 1, dead.warnings.join('\n'))
})
