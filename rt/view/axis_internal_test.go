package view

import (
	"math"
	"slices"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 14.25, []float64{0, 5, 10, 15}},
		{0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{-3, 12000, []float64{-5000, 0, 5000, 10000, 15000}},
		{5, 5, []float64{4, 4.5, 5, 5.5, 6}},
		{0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
	} {
		got, _ := niceTicks(c.lo, c.hi, 5)
		if !slices.Equal(got, c.want) {
			t.Errorf("niceTicks(%v, %v) = %v; want %v", c.lo, c.hi, got, c.want)
		}
	}
}

func TestFormatNum(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.1 + 0.2: "0.3", 14.25: "14.25", 12000: "12k",
		2.5e6: "2.5M", -15000: "-15k", 1234.5678: "1235", 3e9: "3G"} {
		if got := formatNum(v); got != want {
			t.Errorf("formatNum(%v) = %q; want %q", v, got, want)
		}
	}
	if formatNum(math.NaN()) != "NaN" {
		t.Errorf("formatNum(NaN) = %q", formatNum(math.NaN()))
	}
}
