package wire

import "testing"

// TestReplayCacheForgetsOldestFirst fills a small cache past its size: the
// oldest signatures are forgotten one by one, the recent ones still count
// as replays.
func TestReplayCacheForgetsOldestFirst(t *testing.T) {
	c := newReplayCache(3)
	for _, sig := range []string{"a", "b", "c", "d"} {
		if !c.add(sig) {
			t.Fatalf("add(%q) of a new signature = false", sig)
		}
	}
	tests := []struct {
		sig  string
		want bool // new?
	}{
		{"d", false}, {"c", false}, {"b", false},
		{"a", true}, // evicted by d; now in, evicting b
		{"b", true}, // evicting c
		{"d", false},
	}
	for _, tt := range tests {
		if got := c.add(tt.sig); got != tt.want {
			t.Errorf("add(%q) = %v, want %v", tt.sig, got, tt.want)
		}
	}
	if len(c.set) != 3 || len(c.order) != 3 {
		t.Errorf("cache holds %d signatures in %d slots, want 3 and 3", len(c.set), len(c.order))
	}
}
