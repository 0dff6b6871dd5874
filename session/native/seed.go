package native

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A user's first native cell compiles the standard library and gosys/rt for
// plugins into that user's Go build cache: 20 s to a minute. On a shared
// host (a class: every student a new user) each student would pay it. So a
// system-wide install builds them once into a seed, a Go build cache beside
// the kit (SeedDir), readable by all; a user's first native cell copies the
// seed's entries into the user's own cache (about a second), which stays
// the user's: no user's build ever reads a file another user can write.

// seedMarker names the file of a seed (and of a cache seeded from it)
// holding the seed's stamp.
const seedMarker = "gosys-seed"

// SeedDir returns where the seed of the kit in kitDir is.
func SeedDir(kitDir string) string {
	return filepath.Join(filepath.Dir(kitDir), "go-build-seed")
}

// WarmSeed builds an empty native cell into the Go build cache dir (see
// Warm) and marks dir as a seed. It is for a system-wide install, run by
// the user who owns the install.
func WarmSeed(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("seed %s: %w", dir, err)
	}
	// An empty cache of plugins too: this user's would hold the warm
	// cell already, and nothing would be compiled into the seed.
	plugins, err := os.MkdirTemp("", "gosys-seed-")
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer os.RemoveAll(plugins)
	defer setenv("GOCACHE", dir)()
	defer setenv("XDG_CACHE_HOME", plugins)()
	if err := Warm(ctx); err != nil {
		return err
	}
	stamp := fmt.Sprintf("%s %d", dir, time.Now().UnixNano())
	return os.WriteFile(filepath.Join(dir, seedMarker), []byte(stamp+"\n"), 0o644)
}

// setenv sets name to value and returns what sets it back.
func setenv(name, value string) func() {
	old, had := os.LookupEnv(name)
	os.Setenv(name, value)
	return func() {
		if had {
			os.Setenv(name, old)
		} else {
			os.Unsetenv(name)
		}
	}
}

// seed copies the seed of t's kit, if there is one and the user's build
// cache has not had it yet, into the user's build cache. A failure only
// costs the time the seed would have saved.
func (t *toolchain) seed() {
	seedDir := SeedDir(t.dir)
	stamp, err := os.ReadFile(filepath.Join(seedDir, seedMarker))
	if err != nil {
		return
	}
	out, err := t.run(context.Background(), 30*time.Second, "env", "GOCACHE")
	cache := strings.TrimSpace(string(out))
	if err != nil || cache == "" || cache == "off" || sameDir(cache, seedDir) {
		return
	}
	if have, err := os.ReadFile(filepath.Join(cache, seedMarker)); err == nil && string(have) == string(stamp) {
		return
	}
	if err := copySeed(seedDir, cache); err != nil {
		fmt.Fprintf(os.Stderr, "native cells: seeding the Go build cache from %s: %v\n", seedDir, err)
		return
	}
	_ = os.WriteFile(filepath.Join(cache, seedMarker), stamp, 0o644)
}

func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// copySeed copies the regular files of the cache seed into the cache dst,
// skipping those dst has (a build cache's entries are named by their
// content's hash). Each file is written under a temporary name and
// renamed, so a concurrent build never reads half of one.
func copySeed(seed, dst string) error {
	return filepath.WalkDir(seed, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(seed, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o777)
		case !d.Type().IsRegular() || rel == seedMarker:
			return nil
		}
		if _, err := os.Lstat(target); err == nil {
			return nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".seed-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
