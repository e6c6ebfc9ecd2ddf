// The name of an anonymous function from the source text just before it: `const hot = (` -> hot,
// `hot: async function (` -> hot, `this.hot = function (` -> hot. Nothing when the text says nothing.
const BINDING = /(?:^|[^\w$.])(?:[\w$]+\.)*([A-Za-z_$][\w$]*)\s*(?::\s*[^=:]+?)?\s*(?:=|:)\s*(?:async\s+)?(?:function\s*\*?\s*)?(?:<[^>]*>\s*)?\(?$/

export function bindingBefore(text: string): string | undefined {
  const m = BINDING.exec(text.trimEnd())
  const name = m?.[1]
  return name && !RESERVED.has(name) ? name : undefined
}

const RESERVED = new Set(['return', 'await', 'yield', 'case', 'default', 'new', 'typeof', 'void', 'in', 'of', 'else'])
