// Opens a file in the desktop's browser, without waiting for it and without failing the command when it cannot.
import { spawn } from 'node:child_process'
import { log } from './shared'

export function openInBrowser(file: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [file]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', file]] : ['xdg-open', [file]]
  try {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true })
    child.on('error', () => log.warn(`could not open a browser (${cmd} failed); open ${file} yourself`))
    child.unref()
  } catch {
    log.warn(`could not open a browser; open ${file} yourself`)
  }
}
