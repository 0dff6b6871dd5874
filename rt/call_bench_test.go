package rt

import (
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkCallOverhead measures what an rt call adds to its system call:
// a 64-byte write and read through a pipe, with unix.Write/unix.Read and
// with rt.Write/rt.Read, and a 64 KiB pair (go test -bench CallOverhead
// ./rt/; compare the two in one run).
func BenchmarkCallOverhead(b *testing.B) {
	type rw struct {
		name        string
		write, read func(int, []byte) (int, error)
	}
	for _, size := range []int{64, 64 << 10} {
		for _, c := range []rw{
			{"unix", unix.Write, unix.Read},
			{"rt", Write, Read},
		} {
			b.Run(c.name+"/"+map[int]string{64: "64B", 64 << 10: "64KiB"}[size], func(b *testing.B) {
				r, w, err := Pipe()
				if err != nil {
					b.Fatal(err)
				}
				defer Close(r)
				defer Close(w)
				msg, buf := make([]byte, size), make([]byte, size)
				b.SetBytes(int64(size))
				for b.Loop() {
					if _, err := c.write(w, msg); err != nil {
						b.Fatal(err)
					}
					for got := 0; got < size; {
						n, err := c.read(r, buf[got:])
						if err != nil {
							b.Fatal(err)
						}
						got += n
					}
				}
			})
		}
	}
}
