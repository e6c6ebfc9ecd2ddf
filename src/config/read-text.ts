// A configuration source that may be absent (an env file, a checkout's git files): its text, or undefined when it
// cannot be read. Whoever asked decides whether absence is a problem.
import * as fs from 'node:fs'

export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
