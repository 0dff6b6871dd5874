package kernelspec

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Scope says which Jupyter data directory a kernelspec is installed into. The
// scopes are those of `jupyter kernelspec install`.
type Scope int

const (
	// System is jupyter's default: the first system-wide data directory,
	// /usr/local/share/jupyter on Linux and macOS.
	System Scope = iota
	// User is the user's data directory: $JUPYTER_DATA_DIR if set, else
	// $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter (~/Library/Jupyter
	// on macOS).
	User
	// SysPrefix is sys.prefix/share/jupyter of the Python that runs jupyter.
	SysPrefix
	// Prefix is PREFIX/share/jupyter for a directory given by the caller.
	Prefix
)

// String returns the scope as its command-line flag names it.
func (s Scope) String() string {
	switch s {
	case System:
		return "system"
	case User:
		return "--user"
	case SysPrefix:
		return "--sys-prefix"
	case Prefix:
		return "--prefix"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// systemPath is jupyter_core's SYSTEM_JUPYTER_PATH on non-Windows systems.
var systemPath = []string{"/usr/local/share/jupyter", "/usr/share/jupyter"}

// DataDir returns the Jupyter data directory of scope, the directory that
// holds kernels/. prefix is used by the Prefix scope only and made absolute,
// as jupyter does. SysPrefix runs a Python interpreter (see PythonSysPrefix).
//
// JUPYTER_PATH does not change where a kernelspec is installed; like
// jupyter, it only adds directories to the lookup path (see SearchPath).
func DataDir(scope Scope, prefix string) (string, error) {
	switch scope {
	case System:
		return systemPath[0], nil
	case User:
		return UserDataDir()
	case SysPrefix:
		p, err := PythonSysPrefix()
		if err != nil {
			return "", err
		}
		return filepath.Join(p, "share", "jupyter"), nil
	case Prefix:
		if prefix == "" {
			return "", errors.New("--prefix needs a directory")
		}
		abs, err := filepath.Abs(prefix)
		if err != nil {
			return "", fmt.Errorf("prefix %s: %w", prefix, err)
		}
		return filepath.Join(abs, "share", "jupyter"), nil
	}
	return "", fmt.Errorf("unknown scope %v", scope)
}

// UserDataDir is jupyter_core's jupyter_data_dir(): $JUPYTER_DATA_DIR when
// set, else ~/Library/Jupyter on macOS, else $XDG_DATA_HOME/jupyter, else
// ~/.local/share/jupyter.
func UserDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := homeDir()
	if err != nil {
		return "", err
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Jupyter"), nil
	}
	xdg := os.Getenv("XDG_DATA_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(xdg, "jupyter"), nil
}

// homeDir is jupyter_core's get_home_dir(): the home directory with
// symbolic links resolved.
func homeDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("home directory: %w", err)
	}
	if r, err := filepath.EvalSymlinks(home); err == nil {
		return r, nil
	}
	return home, nil
}

// PythonSysPrefix returns sys.prefix of the Python that runs jupyter: the
// interpreter named on the #! line of the `jupyter` command found in PATH
// when that is a Python, else /usr/bin/python3. It fails with an explanation
// when neither can be run.
func PythonSysPrefix() (string, error) {
	var tried []string
	for _, py := range pythonCandidates() {
		out, err := exec.Command(py, "-c", "import sys; print(sys.prefix)").Output()
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", py, err))
			continue
		}
		if p := strings.TrimSpace(string(out)); p != "" {
			return p, nil
		}
		tried = append(tried, py+": printed no sys.prefix")
	}
	return "", fmt.Errorf("--sys-prefix: cannot find the Python that runs jupyter to ask its sys.prefix (%s); use --prefix DIR instead",
		strings.Join(tried, "; "))
}

// pythonCandidates lists the interpreters PythonSysPrefix asks, best first.
func pythonCandidates() []string {
	var c []string
	if j, err := exec.LookPath("jupyter"); err == nil {
		if py := shebangPython(j); py != "" {
			c = append(c, py)
		}
	}
	if len(c) == 0 || c[0] != "/usr/bin/python3" {
		c = append(c, "/usr/bin/python3")
	}
	return c
}

// shebangPython returns the interpreter on the #! line of the script at
// path when it names a Python, or "".
func shebangPython(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, _ := f.Read(buf)
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	rest, ok := strings.CutPrefix(line, "#!")
	if !ok {
		return ""
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return ""
	}
	interp := fields[0]
	if filepath.Base(interp) == "env" && len(fields) > 1 {
		p, err := exec.LookPath(fields[1])
		if err != nil {
			return ""
		}
		interp = p
	}
	if !strings.HasPrefix(filepath.Base(interp), "python") {
		return ""
	}
	return interp
}

// SearchPath returns the directories jupyter searches for kernelspecs, in
// jupyter_core's jupyter_path("kernels") order: $JUPYTER_PATH entries, the
// user directories (UserDataDir and Python's user base), sys.prefix's
// (before the user ones when JUPYTER_PREFER_ENV_PATH is set; left out when
// no Python answers), then the system directories.
func SearchPath() []string {
	var paths []string
	if jp := os.Getenv("JUPYTER_PATH"); jp != "" {
		for _, p := range filepath.SplitList(jp) {
			if p != "" {
				paths = append(paths, strings.TrimRight(p, string(os.PathSeparator)))
			}
		}
	}
	var user []string
	if d, err := UserDataDir(); err == nil {
		user = append(user, d)
	}
	if base := pythonUserBase(); base != "" {
		if d := filepath.Join(base, "share", "jupyter"); !slices.Contains(user, d) {
			user = append(user, d)
		}
	}
	var env []string
	if p, err := PythonSysPrefix(); err == nil {
		if d := filepath.Join(p, "share", "jupyter"); !slices.Contains(systemPath, d) {
			env = append(env, d)
		}
	}
	if envSet("JUPYTER_PREFER_ENV_PATH") {
		paths = append(append(paths, env...), user...)
	} else {
		paths = append(append(paths, user...), env...)
	}
	paths = append(paths, systemPath...)
	for i, p := range paths {
		paths[i] = filepath.Join(p, "kernels")
	}
	return paths
}

// pythonUserBase is site.getuserbase() on Linux, or "" when the user site
// is disabled with PYTHONNOUSERSITE.
func pythonUserBase() string {
	if os.Getenv("PYTHONNOUSERSITE") != "" {
		return ""
	}
	if b := os.Getenv("PYTHONUSERBASE"); b != "" {
		return b
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if runtime.GOOS == "darwin" {
		return "" // a framework build's user base is versioned; not guessed
	}
	return filepath.Join(home, ".local")
}

// envSet is jupyter_core's envset: set to anything but a false-like word.
func envSet(name string) bool {
	v, ok := os.LookupEnv(name)
	if !ok {
		return false
	}
	switch strings.ToLower(v) {
	case "no", "n", "false", "off", "0", "0.0":
		return false
	}
	return true
}
