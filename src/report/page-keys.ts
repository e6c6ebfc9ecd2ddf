// The report page's keyboard, wheel and tooltip: arrows walk the frames of the graph (up to the callees, down to
// the caller, left and right to the siblings), Enter zooms into the current frame, Escape resets, "/" goes to the
// search box; Ctrl (or Cmd) + wheel over a frame zooms into it or back out; hovering shows a frame's tooltip.
// It runs in the browser (bundled with page.ts); the DOM is typed loosely, the project compiles without its types.

/** A drawn chart: d3-flame-graph's chart, its container id, and whether it is drawn top-down (icicle). */
export interface Drawn {
  chart: any
  el: string
  inverted: boolean
}

export interface Navigation {
  /** Forget the current frame (the charts were redrawn). */
  reset(): void
  /** d3-flame-graph zoomed a chart to `d` (its click handler). */
  zoomed(chart: any, d: any): void
}

export function attachNavigation(document: any, charts: () => Drawn[], label: (d: any) => string): Navigation {
  const $ = (id: string): any => document.getElementById(id)
  let cur: { d: any; at: Drawn } | null = null
  const zoomedTo = new WeakMap<any, any>()

  const frameOf = (at: Drawn, d: any): any => [...document.querySelectorAll('#' + at.el + ' g.frame')].find((g: any) => g.__data__ === d)
  const mark = (): void => {
    for (const g of document.querySelectorAll('g.frame.cur')) g.classList.remove('cur')
    if (!cur) return
    frameOf(cur.at, cur.d)?.classList.add('cur')
    $('details').textContent = label(cur.d)
  }
  const rootOf = (at: Drawn): any => [...document.querySelectorAll('#' + at.el + ' g.frame')].map((g: any) => g.__data__).find((d: any) => d && d.depth === 0)
  const visible = (d: any): any[] => (d.children ?? []).filter((c: any) => !c.data.hide && c.x1 - c.x0 > 0)

  const move = (key: string): void => {
    const all = charts()
    if (!all.length) return
    if (!cur) {
      const at = all[0] as Drawn
      const d = rootOf(at)
      if (d) cur = { d, at }
      return mark()
    }
    const { d, at } = cur
    // In a flame graph callees are drawn above; in an icicle (inverted, callees of a sandwich) below.
    const deeper = at.inverted ? 'ArrowDown' : 'ArrowUp'
    let next: any
    if (key === deeper) next = visible(d).sort((a: any, b: any) => b.value - a.value)[0]
    else if (key === 'ArrowUp' || key === 'ArrowDown') next = d.parent
    else if (d.parent) {
      const row = visible(d.parent).sort((a: any, b: any) => a.x0 - b.x0)
      next = row[row.indexOf(d) + (key === 'ArrowRight' ? 1 : -1)]
    }
    if (next) cur = { d: next, at }
    mark()
  }

  document.addEventListener('keydown', (ev: any) => {
    const typing = ev.target?.closest?.('input, select, textarea')
    if (typing) {
      if (ev.key === 'Escape') ev.target.blur()
      return
    }
    if (ev.key === '/') {
      ev.preventDefault()
      $('search').focus()
    } else if (ev.key === 'Escape') {
      cur = null
      mark()
      for (const c of charts()) c.chart.resetZoom()
    } else if (ev.key === 'Enter' && cur) {
      cur.at.chart.zoomTo(cur.d)
    } else if (ev.key.startsWith('Arrow')) {
      ev.preventDefault()
      move(ev.key)
    }
  })

  // Ctrl/Cmd + wheel: in towards the frame under the pointer, out to the parent of the frame zoomed to. A plain
  // wheel still scrolls the page.
  document.addEventListener(
    'wheel',
    (ev: any) => {
      if (!(ev.ctrlKey || ev.metaKey)) return
      const g = ev.target?.closest?.('g.frame')
      const at = charts().find((c) => g && document.getElementById(c.el)?.contains(g))
      if (!g || !at) return
      ev.preventDefault()
      if (ev.deltaY < 0) at.chart.zoomTo(g.__data__)
      else {
        const parent = zoomedTo.get(at.chart)?.parent
        if (parent) at.chart.zoomTo(parent)
        else at.chart.resetZoom()
      }
    },
    { passive: false },
  )

  // A tooltip beside the pointer with the frame's name, location, value and share.
  const tip = $('tip')
  document.addEventListener('mouseover', (ev: any) => {
    const g = ev.target?.closest?.('.views g.frame')
    if (!g?.__data__) return
    tip.textContent = label(g.__data__)
    tip.hidden = false
  })
  document.addEventListener('mouseout', (ev: any) => {
    if (ev.target?.closest?.('.views g.frame')) tip.hidden = true
  })
  document.addEventListener('mousemove', (ev: any) => {
    if (tip.hidden) return
    const w = document.documentElement.clientWidth
    tip.style.left = Math.min(ev.clientX + 14, w - tip.offsetWidth - 4) + 'px'
    tip.style.top = ev.clientY + 16 + 'px'
  })

  return {
    reset: () => {
      cur = null
    },
    zoomed: (chart, d) => {
      zoomedTo.set(chart, d)
    },
  }
}
