// Package content holds the message contents that travel from the session
// to the notebook: a MIME bundle (a value or a display) and an error. The
// session produces them, the link between session and kernel carries them
// and the kernel's publisher sends them; none of those depends on another
// for these types.
package content

import "fmt"

// Bundle is a MIME bundle with its metadata, as display_data and
// execute_result carry it.
type Bundle struct {
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	Transient map[string]any `json:"transient,omitempty"`
}

// Error is an error as the messaging protocol reports it: a name, a value
// and traceback lines.
type Error struct {
	Name      string   `json:"ename"`
	Value     string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// Error returns "Name: Value".
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Name, e.Value) }

// NewError returns an Error whose traceback is its one line "name: value".
func NewError(name, value string) *Error {
	return &Error{Name: name, Value: value, Traceback: []string{name + ": " + value}}
}
