package kernelspec

import (
	"errors"
	"flag"
)

// Flags is the command-line form of Options, shared by `gosys install` and
// `go run ./install`: [--user | --sys-prefix | --prefix DIR] [--name NAME].
type Flags struct {
	User      bool
	SysPrefix bool
	Prefix    string
	Name      string
}

// Register defines the flags on fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.BoolVar(&f.User, "user", false, "install for the current user (JUPYTER_DATA_DIR, else ~/.local/share/jupyter)")
	fs.BoolVar(&f.SysPrefix, "sys-prefix", false, "install into sys.prefix/share/jupyter of the Python that runs jupyter")
	fs.StringVar(&f.Prefix, "prefix", "", "install into `DIR`/share/jupyter")
	fs.StringVar(&f.Name, "name", DefaultName, "kernelspec `NAME` (letters, digits, '.', '_', '-'; lowercased)")
}

// Options checks that at most one scope was chosen and returns the Options
// for the binary at binary.
func (f Flags) Options(binary string) (Options, error) {
	n := 0
	opts := Options{Scope: System, Name: f.Name, Binary: binary}
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
	return a
}
