// The ESM face of the library entry: the same objects as the CommonJS one (one Profiler class, one label store).
import lib from './index.js'

export const { Profiler, withLabels, withLabelsAsync, currentLabels } = lib
export default lib
