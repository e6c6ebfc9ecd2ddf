// Where things are, seen from the compiled tests in dist/test/...
import * as path from 'node:path'

export const ROOT = path.resolve(__dirname, '..', '..', '..')
export const DD_RUN = path.join(ROOT, 'dist', 'bin', 'dd-run.js')
export const PRELOAD = path.join(ROOT, 'dist', 'preload', 'index.js')
export const FIXTURES = path.join(ROOT, 'test', 'fixtures')
export const fixture = (name: string): string => path.join(FIXTURES, name)
