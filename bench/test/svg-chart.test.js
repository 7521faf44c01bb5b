import { describe, expect, it } from 'vitest'
import { chartScale, escapeXml, niceStep, renderChart, wrapWords } from '../lib/svg-chart.js'

const ROWS = [
  { name: 'bare', median: 30_000, low: 28_000, high: 31_000 },
  { name: 'fastify-jwt', median: 10_000, low: 9_000, high: 12_000 },
  { name: 'tessera', median: 15_000, low: 14_000, high: 16_000, subject: true },
]
const LINES = [{ value: 15_000, label: '1.5x fastify-jwt' }]

/** The attributes of every element `<tag class="name" ...>` of the SVG, as objects. */
function elements(svg, tag, className) {
  const pattern = new RegExp(`<${tag} class="${className}"([^>]*)>`, 'g')
  return [...svg.matchAll(pattern)].map((match) =>
    Object.fromEntries([...match[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
  )
}

describe('renderChart', () => {
  const svg = renderChart({ title: 'hello', unit: 'req/s', rows: ROWS, lines: LINES })

  it('is one SVG document with the title', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg).toContain('<title>hello</title>')
  })

  it('draws one bar and one whisker per server, in order, the subject in colour', () => {
    const bars = elements(svg, 'rect', 'bar')
    expect(bars).toHaveLength(3)
    expect(elements(svg, 'path', 'whisker')).toHaveLength(3)
    expect([...svg.matchAll(/data-server="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'bare',
      'fastify-jwt',
      'tessera',
    ])
    expect(bars.map((bar) => bar.fill)).toEqual(['#9ca3af', '#9ca3af', '#2563eb'])
    // Bars are proportional to the medians.
    const widths = bars.map((bar) => Number(bar.width))
    expect(widths[0] / widths[1]).toBeCloseTo(3, 1)
  })

  it('draws the goal line where a bar of the goal value would end', () => {
    const [goal] = elements(svg, 'line', 'goal')
    const tessera = elements(svg, 'rect', 'bar')[2]
    // tessera's median is exactly the goal value (1.5 x fastify-jwt's 10,000).
    expect(Number(goal.x1)).toBeCloseTo(Number(tessera.x) + Number(tessera.width), 5)
    expect(goal.x2).toBe(goal.x1)
    expect(svg).toContain('goal: 1.5x fastify-jwt (15,000)')
  })

  it('draws whiskers from the lowest to the highest round', () => {
    const { toX } = chartScale(ROWS, LINES)
    const x = (value) => Math.round(toX(value) * 10) / 10
    const [, , tessera] = elements(svg, 'path', 'whisker')
    expect(tessera.d.startsWith(`M${x(14_000)} `)).toBe(true)
    expect(tessera.d).toContain(`H${x(16_000)}`)
  })

  it('escapes server names, goal labels and the title', () => {
    const hostile = renderChart({
      title: 'a <b> & "c"',
      unit: 'req/s',
      rows: [{ name: '<script>&"x\'', median: 1, low: 1, high: 1, subject: true }],
      lines: [{ value: 1, label: '1x <peer> & co' }],
    })
    expect(hostile).not.toContain('<script>')
    expect(hostile).toContain('&lt;script&gt;&amp;&quot;x&#39;')
    expect(hostile).toContain('data-server="&lt;script&gt;&amp;&quot;x&#39;"')
    expect(hostile).toContain('1x &lt;peer&gt; &amp; co')
    expect(hostile).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot;</title>')
  })

  it('wraps a long title and keeps it whole in <title>', () => {
    const title = `embedded-express: ${'a long title '.repeat(10)}`.trim()
    const long = renderChart({ title, unit: 'req/s', rows: ROWS, lines: LINES })
    expect(long).toContain(`<title>${title}</title>`)
    expect([...long.matchAll(/font-size="15" font-weight="600">/g)]).toHaveLength(2)
  })

  it('widens the names column for a long server name', () => {
    const name = 'hello during the storm (-c8)'
    const [bar] = elements(
      renderChart({ title: 't', unit: 'ms', rows: [{ name, median: 1, low: 1, high: 1 }] }),
      'rect',
      'bar',
    )
    expect(Number(bar.x)).toBeGreaterThan(name.length * 7)
    expect(Number(elements(svg, 'rect', 'bar')[0].x)).toBe(chartScale(ROWS, LINES).left)
  })

  it('draws no goal line when the scenario has no goal', () => {
    const plain = renderChart({ title: 'verify', unit: 'req/s', rows: ROWS })
    expect(elements(plain, 'line', 'goal')).toHaveLength(0)
    expect(plain).not.toContain('Dashed: goal')
  })
})

describe('chart scale', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(36_000)).toBe(10_000)
    expect(niceStep(9)).toBe(2)
    expect(niceStep(0)).toBe(1)
  })

  it('ends at the first tick above every whisker and goal', () => {
    expect(chartScale(ROWS, [{ value: 45_000, label: '' }]).top).toBe(50_000)
    expect(chartScale(ROWS, []).top).toBe(40_000)
  })

  it('breaks lines between words', () => {
    expect(wrapWords('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd'])
    expect(wrapWords('averylongword x', 5)).toEqual(['averylongword', 'x'])
  })

  it('escapes the five XML specials', () => {
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;')
  })
})
