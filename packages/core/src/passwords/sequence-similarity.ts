/**
 * Similarity of two strings from 0 to 1: twice the number of characters they share (as multisets,
 * order ignored) over their total length, counted in code points; 1 when both are empty.
 *
 * This is the upper bound that Python's `difflib.SequenceMatcher.quick_ratio()` computes on the
 * Ratcliff/Obershelp ratio. Django's UserAttributeSimilarityValidator compares with quick_ratio,
 * not ratio(), so a reordered username ("nimda" for "admin") counts as similar there; using the
 * same measure keeps Tessera's verdicts identical to Django's.
 */
export function quickSimilarity(a: string, b: string): number {
  const left = Array.from(a)
  const right = Array.from(b)
  const total = left.length + right.length
  if (total === 0) return 1
  const available = new Map<string, number>()
  for (const char of right) available.set(char, (available.get(char) ?? 0) + 1)
  let shared = 0
  for (const char of left) {
    const count = available.get(char) ?? 0
    if (count > 0) {
      shared++
      available.set(char, count - 1)
    }
  }
  return (2 * shared) / total
}
