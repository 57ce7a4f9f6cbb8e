// AUROC by counting every (positive, negative) pair, ties as half: the brute-force reference the rank-based scorers
// are tested against (quadratic, so for small test data only).
export function bruteAuroc(scores: readonly number[], labels: readonly boolean[]): number {
  let wins = 0
  let pairs = 0
  scores.forEach((s, i) => {
    if (!labels[i]) return
    scores.forEach((t, k) => {
      if (labels[k]) return
      pairs++
      wins += s > t ? 1 : s === t ? 0.5 : 0
    })
  })
  return wins / pairs
}
