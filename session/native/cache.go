package native

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// cacheDir returns the user's directory of native builds,
// $XDG_CACHE_HOME/gosys/native or ~/.cache/gosys/native, created 0700.
// A plugin is code the session runs: the directory must be the user's
// own and writable by no one else (never a shared /tmp).
func cacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("native cells need a cache directory: %w (set HOME or XDG_CACHE_HOME)", err)
	}
	dir := filepath.Join(base, "gosys", "native")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("native cells: cache directory: %w", err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("native cells: cache directory: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	switch {
	case !st.IsDir():
		return "", fmt.Errorf("native cells: cache directory %s is not a directory", dir)
	case ok && int(sys.Uid) != os.Geteuid():
		return "", fmt.Errorf("native cells: cache directory %s belongs to user %d, not to you: refusing to load code from it", dir, sys.Uid)
	case st.Mode().Perm()&0o022 != 0:
		return "", fmt.Errorf("native cells: cache directory %s is writable by others (mode %v): refusing to load code from it; chmod 700 it", dir, st.Mode().Perm())
	}
	return dir, nil
}

// cacheKey names a build: the source and toolchain (toolKey), the cell's
// text and the packages of the earlier cells it uses.
func cacheKey(toolKey, src string, deps []*Package) string {
	h := sha256.New()
	fmt.Fprintf(h, "gosys native 1\n%s\n", toolKey)
	paths := make([]string, len(deps))
	for i, d := range deps {
		paths[i] = d.Path
	}
	sort.Strings(paths)
	fmt.Fprintf(h, "%s\n%d\n%s", strings.Join(paths, " "), len(src), src)
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// newEntry makes a private directory to build the cell's package name in.
func (t *toolchain) newEntry(name string) (string, error) {
	dir, err := os.MkdirTemp(t.cache, name+".build-")
	if err != nil {
		return "", fmt.Errorf("native cell: %w", err)
	}
	return dir, nil
}

// commit makes the build in dir the cache's entry for name. Another
// session of the user may have built the same cell meanwhile: the first
// entry stays.
func (t *toolchain) commit(dir, name string) error {
	err := os.Rename(dir, filepath.Join(t.cache, name))
	if err == nil || errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
		return nil
	}
	return fmt.Errorf("native cell: %w", err)
}

// cached loads the cache's entry for name, built with deps.
func (t *toolchain) cached(name string, deps []*Package) (*Package, error) {
	dir := filepath.Join(t.cache, name)
	b, err := os.ReadFile(filepath.Join(dir, "decls.json"))
	if err != nil {
		return nil, err
	}
	var decls []Decl
	if err := json.Unmarshal(b, &decls); err != nil {
		return nil, fmt.Errorf("native cell: cache entry %s: %w", dir, err)
	}
	p, err := Load(PathPrefix+"/"+name, dir)
	if err != nil {
		return nil, err
	}
	// Used now, with what it was built with: prune keeps them.
	now := time.Now()
	os.Chtimes(dir, now, now)
	for _, d := range closure(deps) {
		os.Chtimes(d.Dir, now, now)
	}
	p.Deps = deps
	p.Decls = map[string]Decl{}
	for _, d := range decls {
		p.Decls[d.Name] = d
	}
	p.Order = decls
	return p, nil
}

// treeStamp identifies the part of a gosys source tree a native cell can
// share with the binary (rt, internal, go.mod and go.sum): a tree edited
// since makes other cache keys.
func treeStamp(root string) (string, error) {
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	for _, sub := range []string{"rt", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if !d.Type().IsRegular() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %d\n", p, len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// Restore loads the package path from its cache entry dir, with its
// declarations and the earlier cells it was built with, as Build
// returned it.
func Restore(path, dir string) (*Package, error) {
	if path != PathPrefix+"/"+filepath.Base(dir) {
		return nil, fmt.Errorf("native cell: %s is not the cache entry of %s", dir, path)
	}
	b, err := os.ReadFile(filepath.Join(dir, "deps.json"))
	if err != nil {
		return nil, fmt.Errorf("native cell: %w", err)
	}
	var entries []string
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("native cell: %s: %w", dir, err)
	}
	var deps []*Package
	for _, e := range entries {
		d, err := Restore(PathPrefix+"/"+filepath.Base(e), e)
		if err != nil {
			return nil, err
		}
		deps = append(deps, d)
	}
	t := &toolchain{cache: filepath.Dir(dir)}
	return t.cached(filepath.Base(dir), deps)
}

// pruneAge is how long a cache entry stays unused before prune removes it.
const pruneAge = 30 * 24 * time.Hour

// prune removes the cache's entries unused for pruneAge (a plugin is a few
// MB; a term of edited cells would fill a home) and builds left by a
// session that died while building. It runs before each build, not on a
// cache hit. An entry a running session has loaded stays mapped in it.
func (t *toolchain) prune() {
	entries, err := os.ReadDir(t.cache)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "c") {
			continue
		}
		info, err := e.Info()
		if err == nil && time.Since(info.ModTime()) > pruneAge {
			os.RemoveAll(filepath.Join(t.cache, e.Name()))
		}
	}
}
