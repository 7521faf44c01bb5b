// One scenario's results as an SVG a reader takes in at a glance: a horizontal bar per server at
// its median, a whisker from its lowest to its highest round, and each goal as a dashed line
// across the servers. Hand-written SVG: no dependency, and the file is small and diffable.
import { formatRps } from './stats.js'

const WIDTH = 760
/** Room on the right for the value written after the longest whisker. */
const PLOT_RIGHT = WIDTH - 90
/** About the width of a 13 px character of a bold server name, to size the names' column. */
const NAME_CHAR_WIDTH = 7.8
/** Characters of a 15 px title line that fit the width. */
const TITLE_LINE_CHARS = 76
const TITLE_LINE_HEIGHT = 19
const ROW_HEIGHT = 30
const BAR_HEIGHT = 18
const GOAL_LABEL_HEIGHT = 16
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
/** A white outline drawn under a text's letters, so a line behind it does not cross them. */
const HALO = ' paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"'
const COLORS = { subject: '#2563eb', other: '#9ca3af', whisker: '#111827', goal: '#dc2626' }

/** Text made safe inside SVG elements and attributes. */
export function escapeXml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char],
  )
}

/** A round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks up to `max`. */
export function niceStep(max, ticks = 5) {
  if (!(max > 0)) return 1
  const raw = max / ticks
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].find((factor) => factor * power >= raw) ?? 10
  return step * power
}

/**
 * The axis of a chart: server names right-aligned in a column as wide as the longest needs (the
 * bars start at `left`), and `toX(value)` mapping 0..top onto the plot, top being the first tick
 * at or above every median, whisker and goal, so nothing is drawn past the last tick.
 */
export function chartScale(rows, lines) {
  const longest = Math.max(0, ...rows.map((row) => String(row.name).length))
  const left = Math.min(360, Math.max(120, Math.ceil(longest * NAME_CHAR_WIDTH) + 24))
  const highest = Math.max(...rows.map((row) => row.high), ...lines.map((line) => line.value), 0)
  const step = niceStep(highest)
  const top = Math.max(step, Math.ceil(highest / step) * step)
  const toX = (value) => left + (Math.max(0, value) / top) * (PLOT_RIGHT - left)
  return { left, top, step, toX }
}

/** `text` in lines of at most `width` characters, broken between words. */
export function wrapWords(text, width) {
  const lines = []
  for (const word of text.split(' ')) {
    const last = lines.at(-1)
    if (last !== undefined && last.length + 1 + word.length <= width)
      lines[lines.length - 1] += ` ${word}`
    else lines.push(word)
  }
  return lines
}

const round1 = (value) => Math.round(value * 10) / 10

/**
 * Renders the chart. `rows`: one per server, `{ name, median, low, high, subject }` (the subject,
 * the server the goals are about, is drawn in colour, the others in grey). `lines`: the goals,
 * `{ value, label }`, each a dashed line at `value` with its label above the plot. `unit` names
 * the axis; `format` writes values (default req/s: `12,345`).
 * @param {{ title: string, unit: string, rows: Array<{ name: string, median: number, low: number, high: number, subject?: boolean }>, lines?: Array<{ value: number, label: string }>, format?: (value: number) => string }} chart
 */
export function renderChart({ title, unit, rows, lines = [], format = formatRps }) {
  const { left, top, step, toX } = chartScale(rows, lines)
  const titleLines = wrapWords(title, TITLE_LINE_CHARS)
  // Everything below the title moves down by its extra lines.
  const shift = (titleLines.length - 1) * TITLE_LINE_HEIGHT
  const plotTop = 58 + shift + lines.length * GOAL_LABEL_HEIGHT
  const plotBottom = plotTop + rows.length * ROW_HEIGHT
  const height = plotBottom + 46
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${escapeXml(FONT)}" font-size="13">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...titleLines.map(
      (line, index) =>
        `<text x="12" y="${22 + index * TITLE_LINE_HEIGHT}" font-size="15" font-weight="600">${escapeXml(line)}</text>`,
    ),
    `<text x="12" y="${40 + shift}" font-size="12" fill="#4b5563">Bar: median of the rounds. Whisker: lowest to highest round.${lines.length > 0 ? ' Dashed: goal.' : ''}</text>`,
  ]
  // Grid and ticks first, so bars and lines are drawn over them.
  for (let value = 0; value <= top + step / 2; value += step) {
    const x = round1(toX(value))
    parts.push(
      `<line class="grid" x1="${x}" y1="${plotTop}" x2="${x}" y2="${plotBottom}" stroke="#e5e7eb"/>`,
      `<text x="${x}" y="${plotBottom + 16}" font-size="11" fill="#4b5563" text-anchor="middle">${escapeXml(format(value))}</text>`,
    )
  }
  parts.push(
    `<text x="${round1((left + PLOT_RIGHT) / 2)}" y="${plotBottom + 36}" font-size="12" fill="#4b5563" text-anchor="middle">${escapeXml(unit)}</text>`,
  )
  const values = []
  rows.forEach((row, index) => {
    const middle = plotTop + index * ROW_HEIGHT + ROW_HEIGHT / 2
    const end = round1(toX(row.median))
    const [low, high] = [round1(toX(row.low)), round1(toX(row.high))]
    const fill = row.subject ? COLORS.subject : COLORS.other
    parts.push(
      `<g class="server" data-server="${escapeXml(row.name)}">`,
      `<text x="${left - 10}" y="${middle + 4}" text-anchor="end"${row.subject ? ' font-weight="600"' : ''}>${escapeXml(row.name)}</text>`,
      `<rect class="bar" x="${left}" y="${middle - BAR_HEIGHT / 2}" width="${round1(end - left)}" height="${BAR_HEIGHT}" fill="${fill}"/>`,
      `<path class="whisker" d="M${low} ${middle}H${high}M${low} ${middle - 5}V${middle + 5}M${high} ${middle - 5}V${middle + 5}" stroke="${COLORS.whisker}" stroke-width="1.5" fill="none"/>`,
      '</g>',
    )
    values.push(
      `<text class="value" x="${high + 6}" y="${middle + 4}" font-size="12"${HALO}>${escapeXml(format(row.median))}</text>`,
    )
  })
  // Goal lines over the bars; then every text over every line, each on a white halo so a line
  // crossing it leaves it legible.
  const goals = lines.map((line, index) => ({
    line,
    x: round1(toX(line.value)),
    labelY: 56 + shift + index * GOAL_LABEL_HEIGHT,
  }))
  for (const { x, labelY } of goals) {
    parts.push(
      `<line class="goal" x1="${x}" y1="${labelY + 4}" x2="${x}" y2="${plotBottom}" stroke="${COLORS.goal}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    )
  }
  parts.push(...values)
  for (const { line, x, labelY } of goals) {
    // Labels left of the middle start at their line, the others end there: all stay inside.
    const anchor = x < (left + PLOT_RIGHT) / 2 ? 'start' : 'end'
    parts.push(
      `<text class="goal-label" x="${x}" y="${labelY}" font-size="12" fill="${COLORS.goal}" text-anchor="${anchor}"${HALO}>goal: ${escapeXml(line.label)} (${escapeXml(format(line.value))})</text>`,
    )
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
