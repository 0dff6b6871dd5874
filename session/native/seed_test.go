package native

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopySeedKeepsWhatTheCacheHas(t *testing.T) {
	seed, cache := t.TempDir(), t.TempDir()
	write := func(dir, rel, text string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(seed, "ab/ab12-a", "action")
	write(seed, "cd/cd34-d", "output")
	write(seed, seedMarker, "stamp 1\n")
	write(cache, "ab/ab12-a", "the user's own")
	if err := copySeed(seed, cache); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{"ab/ab12-a": "the user's own", "cd/cd34-d": "output"} {
		got, err := os.ReadFile(filepath.Join(cache, rel))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", rel, got, err, want)
		}
	}
	if st, err := os.Stat(filepath.Join(cache, "cd/cd34-d")); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("copied entry: %v, %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(cache, seedMarker)); err == nil {
		t.Error("copySeed copied the marker: the caller writes it once the copy is whole")
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "*", ".seed-*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
