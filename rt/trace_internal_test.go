package rt

import "testing"

// BenchmarkTraceOverhead measures a 64-byte write and read through a pipe
// with and without a trace recording them: the cost a trace adds per call
// (go test -bench TraceOverhead ./rt/).
func BenchmarkTraceOverhead(b *testing.B) {
	for _, traced := range []bool{false, true} {
		name := map[bool]string{false: "untraced", true: "traced"}[traced]
		b.Run(name, func(b *testing.B) {
			r, w, err := Pipe()
			if err != nil {
				b.Fatal(err)
			}
			defer Close(r)
			defer Close(w)
			if traced {
				rec, err := startTrace()
				if err != nil {
					b.Fatal(err)
				}
				defer func() {
					rec.stopSending()
					rec.finish()
				}()
			}
			msg, buf := make([]byte, 64), make([]byte, 64)
			for b.Loop() {
				if _, err := Write(w, msg); err != nil {
					b.Fatal(err)
				}
				if _, err := Read(r, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
