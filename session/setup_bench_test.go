package session

import (
	"testing"

	"gosys/session/eval"
)

// BenchmarkEvalNew measures what a session, and each child started cold,
// pays to set its interpreter up before its first cell:
//
//	go test ./session -run '^$' -bench EvalNew -benchmem
func BenchmarkEvalNew(b *testing.B) {
	for b.Loop() {
		if _, err := eval.New(interpOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
