// The library entry of dd-run (`require('dd-run')`, `import ... from 'dd-run'`): the in-code Profiler and labels.
// Loading it starts nothing: profiling starts with the preload (dd-run node app.js) or Profiler.start().
export { Profiler, type ProfilerOptions } from './api/profiler'
export { currentLabels, withLabels, withLabelsAsync, type Labels } from './labels'
