package kernelspec

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// Flags is the command-line form of Options, shared by `gosys install` and
// `go run ./install`: [--user | --sys-prefix | --prefix DIR] [--name NAME]
// [--env NAME=VALUE]...
type Flags struct {
	User      bool
	SysPrefix bool
	Prefix    string
	Name      string
	// Env holds the --env settings in the order given.
	Env []string
}

// Register defines the flags on fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.BoolVar(&f.User, "user", false, "install for the current user (JUPYTER_DATA_DIR, else ~/.local/share/jupyter)")
	fs.BoolVar(&f.SysPrefix, "sys-prefix", false, "install into sys.prefix/share/jupyter of the Python that runs jupyter")
	fs.StringVar(&f.Prefix, "prefix", "", "install into `DIR`/share/jupyter")
	fs.StringVar(&f.Name, "name", DefaultName, "kernelspec `NAME` (letters, digits, '.', '_', '-'; lowercased)")
	fs.Func("env", "add `NAME=VALUE` to the kernel's environment (kernel.json's \"env\"; repeatable), e.g. GOSYS_WARM_CHILDREN=0", func(s string) error {
		if _, _, err := splitEnv(s); err != nil {
			return err
		}
		f.Env = append(f.Env, s)
		return nil
	})
}

// splitEnv splits NAME=VALUE.
func splitEnv(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" || strings.ContainsAny(name, " \t\n\x00") || strings.ContainsRune(value, 0) {
		return "", "", fmt.Errorf("want NAME=VALUE, e.g. GOSYS_WARM_CHILDREN=0")
	}
	return name, value, nil
}

// EnvMap returns the --env settings as a map; a name given twice keeps
// its last value.
func (f Flags) EnvMap() map[string]string {
	if len(f.Env) == 0 {
		return nil
	}
	m := make(map[string]string, len(f.Env))
	for _, s := range f.Env {
		if name, value, err := splitEnv(s); err == nil {
			m[name] = value
		}
	}
	return m
}

// Options checks that at most one scope was chosen and returns the Options
// for the binary at binary.
func (f Flags) Options(binary string) (Options, error) {
	n := 0
	opts := Options{Scope: System, Name: f.Name, Binary: binary, Env: f.EnvMap()}
	if f.User {
		n++
		opts.Scope = User
	}
	if f.SysPrefix {
		n++
		opts.Scope = SysPrefix
	}
	if f.Prefix != "" {
		n++
		opts.Scope, opts.Prefix = Prefix, f.Prefix
	}
	if n > 1 {
		return Options{}, errors.New("choose at most one of --user, --sys-prefix and --prefix DIR")
	}
	if _, err := NormalizeName(f.Name); err != nil {
		return Options{}, err
	}
	return opts, nil
}

// Args returns the flags as command-line arguments, to hand them on.
func (f Flags) Args() []string {
	var a []string
	switch {
	case f.User:
		a = append(a, "--user")
	case f.SysPrefix:
		a = append(a, "--sys-prefix")
	case f.Prefix != "":
		a = append(a, "--prefix", f.Prefix)
	}
	if f.Name != "" && f.Name != DefaultName {
		a = append(a, "--name", f.Name)
	}
	for _, e := range f.Env {
		a = append(a, "--env", e)
	}
	return a
}
