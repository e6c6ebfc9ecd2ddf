// Who runs a channel: the launcher writes `<channel>/launcher.json` when it opens the channel, so that
// `dd-run snapshot` can find a run by the launcher's pid and name it by its command.
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface LauncherInfo {
  pid: number
  command: string
  startedAt: string
}

const FILE = 'launcher.json'

export function writeLauncherInfo(channel: string, info: LauncherInfo): void {
  fs.writeFileSync(path.join(channel, FILE), JSON.stringify(info), { mode: 0o600, flag: 'wx' })
}

/** The launcher's info, or undefined when the file is missing or not what dd-run writes. */
export function readLauncherInfo(channel: string): LauncherInfo | undefined {
  try {
    const fd = fs.openSync(path.join(channel, FILE), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK)
    try {
      const st = fs.fstatSync(fd)
      if (!st.isFile() || st.size > 64 * 1024) return undefined
      const v = JSON.parse(fs.readFileSync(fd, 'utf8')) as Partial<LauncherInfo>
      if (!Number.isInteger(v.pid) || typeof v.command !== 'string' || typeof v.startedAt !== 'string') return undefined
      return v as LauncherInfo
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return undefined
  }
}
