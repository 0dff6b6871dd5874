// Package native compiles the cells that start with %%native: their
// declarations are built with the machine's Go toolchain as a plugin
// (go build -buildmode=plugin), loaded into the process and handed to the
// interpreter as a compiled package, so that interpreted cells call them at
// compiled speed.
//
// A plugin loads only if every package it shares with the process (the
// runtime, the standard library, gosys/rt, golang.org/x/sys/unix) was
// compiled from the same source by the same toolchain with the same flags.
// Builds therefore use the source gosys was built from: the kit installed
// beside the binary (internal/nativekit) for a binary built with -trimpath
// (as the install step builds it), or the binary's own source tree for one
// built without it (go build, go test in the tree). Builds are cached by
// content (see cache.go): an unchanged cell is loaded again, not compiled.
package native

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"gosys/internal/nativekit"
	"gosys/rt"
)

// BuildTimeout bounds one build; the first in a fresh Go build cache
// compiles the standard library for plugins (tens of seconds on 2 cores).
const BuildTimeout = 5 * time.Minute

// EnvSource names the environment variable that overrides where the
// source to build against is (a kit or a gosys source tree); the stamp of
// a kit found there is not checked: the plugin's own check still is.
const EnvSource = "GOSYS_NATIVE_SRC"

// kitStamp is the stamp of the kit the binary was built with, set by the
// install step (-ldflags -X); empty for a binary built without it.
var kitStamp string

// BuildError is a native cell that did not compile. Each line is a
// message, "LINE:COL: text" when it has a place in the cell.
type BuildError struct {
	Lines []string
	// Syntax is set when the cell did not parse.
	Syntax bool
}

func (e *BuildError) Error() string { return strings.Join(e.Lines, "\n") }

// Builder builds and loads the native cells of one session. Its methods
// are not safe for concurrent use.
type Builder struct {
	mu  sync.Mutex
	env *toolchain
}

// toolchain is what a build runs: the go command, where, with what.
type toolchain struct {
	goCmd   string
	dir     string   // the module the cells' packages are overlaid into
	kit     bool     // dir is a kit (vendored), not a source tree
	flags   []string // go build flags matching the binary's
	env     []string
	key     string // identifies the source and flags, for the cache
	cache   string // the user's cache directory of native builds
	version string
}

// setup finds the source, the toolchain and the cache, once it succeeds
// (a missing toolchain may be installed while the session runs).
func (b *Builder) setup() (*toolchain, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.env == nil {
		t, err := findToolchain()
		if err != nil {
			return nil, err
		}
		b.env = t
	}
	return b.env, nil
}

// findToolchain finds what builds plugins that this binary can load.
func findToolchain() (*toolchain, error) {
	t := &toolchain{version: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, errors.New("native cells: this binary has no build information: build gosys with go build or go run ./install")
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "1" {
		return nil, errors.New("native cells need gosys built with cgo (CGO_ENABLED=1 and a C compiler): Go's plugins load through the C dynamic loader; reinstall gosys with gcc present")
	}
	trimpath := settings["-trimpath"] == "true"
	if trimpath {
		t.flags = append(t.flags, "-trimpath")
	}
	for _, k := range []string{"-tags", "-gcflags", "-asmflags"} {
		if v := settings[k]; v != "" {
			t.flags = append(t.flags, k+"="+v)
		}
	}
	for _, k := range []string{"-race", "-msan", "-asan"} {
		if settings[k] == "true" {
			t.flags = append(t.flags, k)
		}
	}
	env := []string{"CGO_ENABLED=1", "GOTOOLCHAIN=local", "GOWORK=off", "GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH}
	// The binary's: a user's own settings would make packages differ.
	env = append(env, "GOEXPERIMENT="+settings["GOEXPERIMENT"])
	for _, k := range []string{"GOAMD64", "GOARM64", "GO386", "GOARM"} {
		if v := settings[k]; v != "" {
			env = append(env, k+"="+v)
		}
	}
	var manifest nativekit.Manifest
	src := os.Getenv(EnvSource)
	switch {
	case src != "":
		t.dir = src
	case trimpath:
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("native cells: find the gosys binary: %w", err)
		}
		if exe, err = filepath.EvalSymlinks(exe); err != nil {
			return nil, fmt.Errorf("native cells: find the gosys binary: %w", err)
		}
		t.dir = nativekit.Dir(exe)
	default:
		// Built in its source tree without -trimpath: the compiled
		// packages name their files there, and so must the plugin's.
		file, _ := runtime.FuncForPC(reflect.ValueOf(rt.Fork).Pointer()).FileLine(reflect.ValueOf(rt.Fork).Pointer())
		if !filepath.IsAbs(file) {
			return nil, fmt.Errorf("native cells: cannot tell where gosys's source is (%s); set %s", file, EnvSource)
		}
		t.dir = filepath.Dir(filepath.Dir(file))
	}
	m, err := nativekit.ReadManifest(t.dir)
	switch {
	case err == nil:
		t.kit, manifest = true, m
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("native cells: %w", err)
	case trimpath && src == "":
		return nil, fmt.Errorf("native cells need the source gosys was built from, installed beside it in %s, which is missing: install gosys with go run ./install (or scripts/install-prefix.sh, scripts/install-system.sh)", t.dir)
	}
	if _, err := os.Stat(filepath.Join(t.dir, "go.mod")); err != nil {
		return nil, fmt.Errorf("native cells: no gosys source at %s: %w", t.dir, err)
	}
	switch {
	case t.kit:
		env = append(env, "GOFLAGS=-mod=vendor", "GOPROXY=off")
		if src == "" && kitStamp != "" {
			if err := checkKit(t.dir, manifest, kitStamp); err != nil {
				return nil, err
			}
		}
		t.key = manifest.Stamp
		if src != "" || t.key == "" {
			if t.key, err = nativekit.Stamp(t.dir); err != nil {
				return nil, fmt.Errorf("native cells: %w", err)
			}
		}
	default:
		env = append(env, "GOFLAGS=-mod=readonly")
		if t.key, err = treeStamp(t.dir); err != nil {
			return nil, fmt.Errorf("native cells: %w", err)
		}
	}
	t.goCmd = "go"
	for _, root := range []string{manifest.GOROOT, os.Getenv("GOROOT")} {
		if root == "" {
			continue
		}
		if p := filepath.Join(root, "bin", "go"); isExecutable(p) {
			t.goCmd = p
			break
		}
	}
	if t.cache, err = cacheDir(); err != nil {
		return nil, err
	}
	t.env = mergeEnv(os.Environ(), env)
	if os.Getenv("GOCACHE") == "" && os.Getenv("XDG_CACHE_HOME") == "" && os.Getenv("HOME") == "" {
		t.env = append(t.env, "GOCACHE="+filepath.Join(t.cache, "go-build"))
	}
	out, err := t.run(context.Background(), 30*time.Second, "env", "GOVERSION")
	if err != nil {
		return nil, fmt.Errorf("native cells need the Go toolchain (%s): %w", t.goCmd, err)
	}
	if v := strings.TrimSpace(string(out)); v != runtime.Version() {
		return nil, fmt.Errorf("native cells: %s is %s, but gosys was built with %s: a plugin must be built by the toolchain that built its host; put %s's go first on PATH or reinstall gosys", t.goCmd, v, runtime.Version(), runtime.Version())
	}
	t.key = t.key + " " + t.version + " " + strings.Join(t.flags, " ") + " " + strings.Join(env, " ")
	if t.kit {
		t.seed() // seed.go: a class's students need not each compile the standard library
	}
	return t, nil
}

// checkKit checks, before anything is built against it, that the kit in
// dir (whose manifest is m) is the one the binary was built with (stamp):
// as installed with it, and unchanged since. Once per process.
func checkKit(dir string, m nativekit.Manifest, stamp string) error {
	if m.Stamp != stamp {
		return fmt.Errorf("native cells: the source in %s is not the one this gosys was built from (kit %s, binary %s): gosys was installed again since this kernel started; restart the kernel", dir, m.Stamp, stamp)
	}
	now, err := nativekit.Stamp(dir)
	if err != nil {
		return fmt.Errorf("native cells: %w", err)
	}
	if now != stamp {
		return fmt.Errorf("native cells: the source in %s was changed since gosys was installed (stamp %s, binary %s): install gosys again", dir, now, stamp)
	}
	return nil
}

// Build compiles the native cell src (line 1 is the %%native line, blank)
// into a plugin, or finds it in the cache, and loads it. visible maps the
// names the session has from earlier native cells to their packages: the
// cell may use them, and gets the one the session has now. A cell that
// does not compile returns a *BuildError whose lines are the cell's.
func (b *Builder) Build(ctx context.Context, src string, visible map[string]*Package) (*Package, error) {
	p, err := parse(src)
	if err != nil {
		return nil, err
	}
	t, err := b.setup()
	if err != nil {
		return nil, err
	}
	var deps []*Package
	seen := map[*Package]bool{}
	for name := range p.uses {
		if d := visible[name]; d != nil && !seen[d] {
			seen[d] = true
			deps = append(deps, d)
		}
	}
	for {
		pkg, err := t.build(ctx, p, src, deps)
		var be *BuildError
		if !errors.As(err, &be) {
			return pkg, err
		}
		// The cell names an earlier cell's name only where that is not
		// the name (a local variable, a struct literal's field): build
		// again without that import.
		unused := map[string]bool{}
		for _, l := range be.Lines {
			if m := unusedImport.FindStringSubmatch(l); m != nil {
				unused[m[1]] = true
			}
		}
		if len(unused) == 0 {
			return nil, err
		}
		deps = slices.DeleteFunc(deps, func(d *Package) bool { return unused[d.Path] })
	}
}

// unusedImport matches the compiler's refusal of a dot import of an earlier
// native cell the cell turned out not to use.
var unusedImport = regexp.MustCompile(`"(` + regexp.QuoteMeta(PathPrefix) + `/c[0-9a-f]+)" imported and not used`)

// build builds the cell p, whose source is src, with the earlier cells
// deps, or finds it built.
func (t *toolchain) build(ctx context.Context, p *parsed, src string, deps []*Package) (*Package, error) {
	if err := checkClashes(p, deps); err != nil {
		return nil, err
	}
	key := cacheKey(t.key, src, deps)
	name := "c" + key
	if pkg, err := t.cached(name, deps); err == nil {
		pkg.Cached = true
		return pkg, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	t.prune()
	cell, exports, mainSrc := p.generate(name, deps)
	dir, err := t.newEntry(name)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir) // left only when the build failed
	for f, text := range map[string]string{"cell.go": cell, "exports.go": exports, "main.go": mainSrc} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o600); err != nil {
			return nil, fmt.Errorf("native cell: %w", err)
		}
	}
	decls, err := json.Marshal(p.decls)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "decls.json"), decls, 0o600); err != nil {
		return nil, fmt.Errorf("native cell: %w", err)
	}
	// The cache entries of the earlier cells it uses, for Restore.
	depDirs := make([]string, len(deps))
	for i, d := range deps {
		depDirs[i] = filepath.Join(t.cache, d.Name)
	}
	dj, err := json.Marshal(depDirs)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "deps.json"), dj, 0o600); err != nil {
		return nil, fmt.Errorf("native cell: %w", err)
	}
	// The cell's package and the plugin's main appear inside the module
	// (an overlay: nothing is written there), so that they are built as
	// gosys's own packages, with what they share with the binary.
	overlay := map[string]string{}
	for _, d := range append(closure(deps), &Package{Name: name, Dir: dir}) {
		pkgDir := filepath.Join(t.dir, "nativecell", d.Name)
		overlay[filepath.Join(pkgDir, "cell.go")] = filepath.Join(d.Dir, "cell.go")
		overlay[filepath.Join(pkgDir, "exports.go")] = filepath.Join(d.Dir, "exports.go")
	}
	overlay[filepath.Join(t.dir, "nativecell", name, "main", "main.go")] = filepath.Join(dir, "main.go")
	ov, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "overlay.json"), ov, 0o600); err != nil {
		return nil, fmt.Errorf("native cell: %w", err)
	}
	// -w: no DWARF, a quarter of the link (the plugin is never debugged;
	// link flags do not touch the packages shared with the binary).
	args := append([]string{"build", "-buildmode=plugin", "-ldflags=-w", "-overlay=" + filepath.Join(dir, "overlay.json"), "-o", filepath.Join(dir, "plugin.so")}, t.flags...)
	args = append(args, "./nativecell/"+name+"/main")
	if out, err := t.run(ctx, BuildTimeout, args...); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(out) > 0 {
			return nil, compileErrors(out)
		}
		return nil, fmt.Errorf("native cell: go build: %w", err)
	}
	if err := t.commit(dir, name); err != nil {
		return nil, err
	}
	return t.cached(name, deps)
}

// checkClashes refuses a cell that declares a name an earlier native cell
// it uses also declares: Go forbids the dot import the cell gets.
func checkClashes(p *parsed, deps []*Package) error {
	var lines []string
	for _, d := range deps {
		for _, decl := range p.decls {
			if other, ok := d.Decls[decl.Name]; ok && other.Exported {
				lines = append(lines, fmt.Sprintf("%s is declared by this cell and by the earlier native cell whose names it uses (%s): rename one, or run that cell again after this one", decl.Name, d.Name))
			}
		}
	}
	if len(lines) > 0 {
		return &BuildError{Lines: lines}
	}
	return nil
}

// closure returns deps and every package they were built with, each once,
// dependencies first.
func closure(deps []*Package) []*Package {
	var out []*Package
	seen := map[string]bool{}
	var add func(p *Package)
	add = func(p *Package) {
		if seen[p.Path] {
			return
		}
		seen[p.Path] = true
		for _, d := range p.Deps {
			add(d)
		}
		out = append(out, p)
	}
	for _, d := range deps {
		add(d)
	}
	return out
}

// goPosition matches a compiler message placed in the cell by its line
// directive.
var goPosition = regexp.MustCompile(`^(?:\S*/)?cell:(\d+):(\d+): (.*)$`)

// compileErrors turns go build's output into a BuildError: the
// compiler's messages at the cell's lines, go's own as they are.
func compileErrors(out []byte) *BuildError {
	var e BuildError
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		l = strings.TrimRight(l, " \t")
		switch {
		case l == "" || strings.HasPrefix(l, "# "):
			continue
		case goPosition.MatchString(l):
			m := goPosition.FindStringSubmatch(l)
			e.Lines = append(e.Lines, m[1]+":"+m[2]+": "+m[3])
		case strings.HasPrefix(l, "\t") && len(e.Lines) > 0:
			e.Lines[len(e.Lines)-1] += " (" + strings.TrimSpace(l) + ")"
		default:
			e.Lines = append(e.Lines, l)
		}
	}
	return &e
}

// run runs the go command in t.dir, within timeout and ctx: the command
// and what it started (the compiler, the linker) are killed at either.
func (t *toolchain) run(ctx context.Context, timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.goCmd, args...)
	cmd.Dir, cmd.Env = t.dir, t.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that an interrupt kills the compiler too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return out.Bytes(), fmt.Errorf("go %s: no result after %v: %w", args[0], timeout, ctx.Err())
	}
	return out.Bytes(), err
}

// mergeEnv returns env with the settings of set replacing those of the
// same names.
func mergeEnv(env, set []string) []string {
	names := map[string]bool{}
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		names[k] = true
	}
	var out []string
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); !names[k] {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// Warm builds an empty native cell, so that this user's Go build cache
// holds the standard library and gosys/rt compiled for plugins (the first
// native build on a machine compiles them: tens of seconds) and the next
// cells take about a second. The install step runs it (gosys native-warm).
func Warm(ctx context.Context) error {
	var b Builder
	_, err := b.Build(ctx, "\n// Warms the Go build cache for native cells.\nimport _ \"gosys/rt\"\n", nil)
	return err
}
