package kernel

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// LogPrefix is the prefix of every line of the kernel's log:
// "gosys[ID USER]: ", where ID is the kernel id Jupyter put in the
// connection file's name (kernel-ID.json; the file's base name otherwise)
// and USER the user the kernel runs as. On a shared host (JupyterHub) the
// logs of many kernels of many users land in one place: the prefix says
// whose each line is, and the id is the one the notebook server logs
// ("Kernel started: ID").
func LogPrefix(connectionFile string) string {
	return "gosys[" + KernelID(connectionFile) + " " + userName() + "]: "
}

// KernelID returns the kernel id in a connection file's name.
func KernelID(connectionFile string) string {
	base := filepath.Base(connectionFile)
	id := strings.TrimSuffix(base, filepath.Ext(base))
	if rest, ok := strings.CutPrefix(id, "kernel-"); ok && rest != "" {
		id = rest
	}
	if id == "" || id == "." || id == string(filepath.Separator) {
		return "?"
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == ']' || r == 0x7f {
			return '_' // one word: the prefix stays parseable
		}
		return r
	}, id)
}

// userName is the name of the user the process runs as, or its uid when
// the user database does not know it (a container's arbitrary uid).
func userName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}
