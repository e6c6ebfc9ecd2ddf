// A process killed while it wrote a bundle (SIGKILL, the OOM killer, a cluster primary replacing a worker) leaves
// that bundle's `.tmp-` directory in its process directory: its own exit path, which removes such leftovers, never
// ran. Readers skip them, but they hold a partial profile's bytes and the size cap does not count them. At the end
// of a run the launcher removes them for every profiled process of the run that died without ending.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { stillInside } from '../export/file'
import { isTemporary, processDirName, serviceDirName } from '../export/layout'
import { outputDirProblem } from '../export/output-dir'
import type { ProcessStatus } from '../run/status-shape'
import { procState } from './linger'

/**
 * Removes the `.tmp-` entries of the process directories of processes that never ended and no longer run. A
 * process still running (outside the command's group, say) may be writing: left alone. A pid reused since by
 * another process counts as running, which only errs on the side of keeping. Resolves with the count removed.
 */
export async function removeLeftovers(
  outputDir: string,
  statuses: readonly ProcessStatus[],
  alive: (pid: number) => boolean = (pid) => procState(pid).alive,
): Promise<number> {
  // Never touch a tree that is not the user's own (the rule for writing and for the size cap).
  if (outputDirProblem(outputDir)) return 0
  let removed = 0
  const seen = new Set<string>()
  for (const s of statuses) {
    if (s.state !== 'profiled' || s.endedAt || !s.service || !s.runtimeId) continue
    const dir = path.join(outputDir, serviceDirName(s.service), processDirName(s.pid, s.role, s.runtimeId))
    // Never through a symlink below the output directory (the size cap's rule).
    if (seen.has(dir) || alive(s.pid) || !(await stillInside(outputDir, dir))) continue
    seen.add(dir)
    let names: string[]
    try {
      names = fs.readdirSync(dir)
    } catch {
      continue // Never written to, or removed by the size cap meanwhile.
    }
    for (const name of names) {
      if (!isTemporary(name)) continue
      try {
        fs.rmSync(path.join(dir, name), { recursive: true, force: true })
        removed++
      } catch {
        // Read-only by now, or removed by someone else: it stays skipped by every reader.
      }
    }
  }
  return removed
}
