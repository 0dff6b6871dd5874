// Package kernelspec installs the gosys kernelspec where Jupyter looks for
// kernels: a directory kernels/NAME holding kernel.json and the logos, in
// the data directory of a scope chosen as `jupyter kernelspec install`
// chooses it.
package kernelspec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// DefaultName is the kernelspec name notebooks refer to gosys by.
const DefaultName = "gosys"

// DisplayName is the name frontends show for the default kernelspec.
const DisplayName = "Go (systems)"

// Spec is the content of kernel.json.
type Spec struct {
	Argv          []string `json:"argv"`
	DisplayName   string   `json:"display_name"`
	Language      string   `json:"language"`
	InterruptMode string   `json:"interrupt_mode"`
	// Env is added to the kernel's environment by Jupyter: the place for
	// a class's GOSYS_* limits.
	Env      map[string]string `json:"env,omitempty"`
	Metadata map[string]any    `json:"metadata,omitempty"`
}

// NewSpec returns the kernelspec of the gosys binary at binary (an absolute
// path) installed under name. A name other than DefaultName is shown in the
// display name, so several installs side by side can be told apart.
func NewSpec(binary, name string) Spec {
	display := DisplayName
	if name != DefaultName {
		display += " [" + name + "]"
	}
	return Spec{
		Argv:          []string{binary, "kernel", "-f", "{connection_file}"},
		DisplayName:   display,
		Language:      "go",
		InterruptMode: "message",
		Metadata:      map[string]any{"debugger": false},
	}
}

// JSON returns kernel.json's bytes: indented, ending in a newline.
func (s Spec) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode kernel.json: %w", err)
	}
	return append(b, '\n'), nil
}

// namePattern is jupyter_client's _kernel_name_pat.
var namePattern = regexp.MustCompile(`^[a-z0-9._\-]+$`)

// NormalizeName lowercases name and checks it as jupyter_client does: only
// ASCII letters, digits, '-', '.' and '_'. An empty name means DefaultName.
func NormalizeName(name string) (string, error) {
	if name == "" {
		return DefaultName, nil
	}
	n := strings.ToLower(name)
	if !namePattern.MatchString(n) {
		return "", fmt.Errorf("invalid kernel name %q: kernel names can only contain ASCII letters and numbers and these separators: - . _ (hyphen, period, and underscore)", name)
	}
	return n, nil
}
