package view

import (
	"math"
	"strconv"
)

// What the charts share: series colors, round ticks and brief numbers.

// chartColors are the series colors: mid-saturation, visible on white and
// on near-black.
var chartColors = []string{"#4f8fd6", "#f28e2b", "#e15759", "#4fb3ab", "#59a14f",
	"#d4b02a", "#b07aa1", "#ff8fa0", "#a07855", "#9a9a9a"}

// niceTicks returns tick values covering [lo, hi] at a round step (1, 2 or
// 5 times a power of ten), about n of them, and the step.
func niceTicks(lo, hi float64, n int) ([]float64, float64) {
	switch {
	case !(hi > lo) && lo == 0:
		hi = 1
	case !(hi > lo):
		lo, hi = lo-1, lo+1
	}
	raw := (hi - lo) / float64(max(n, 1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for v := math.Floor(lo/step) * step; v <= hi+step*1e-9 || len(ticks) < 2; v += step {
		ticks = append(ticks, roundTo(v, step))
		if len(ticks) > 100 {
			break
		}
	}
	if ticks[len(ticks)-1] < hi-step*1e-9 {
		ticks = append(ticks, roundTo(ticks[len(ticks)-1]+step, step))
	}
	return ticks, step
}

// roundTo rounds v to the decimals that step needs, removing float noise.
func roundTo(v, step float64) float64 {
	d := math.Max(0, -math.Floor(math.Log10(step))+1)
	p := math.Pow(10, d)
	return math.Round(v*p) / p
}

// formatNum writes v briefly for a tick or a label: 1.5k, 2M, 0.25, 12.
func formatNum(v float64) string {
	a := math.Abs(v)
	for _, u := range []struct {
		lim, div float64
		suf      string
	}{{1e12, 1e12, "T"}, {1e9, 1e9, "G"}, {1e6, 1e6, "M"}, {1e4, 1e3, "k"}} {
		if a >= u.lim {
			return strconv.FormatFloat(roundSig(v/u.div, 3), 'f', -1, 64) + u.suf
		}
	}
	return strconv.FormatFloat(roundSig(v, 4), 'f', -1, 64)
}

// roundSig rounds v to n significant digits.
func roundSig(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// finite reports whether v is a number that can be drawn.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
