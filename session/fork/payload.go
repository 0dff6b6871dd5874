package fork

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Payload is everything a child needs to run a forked function as the
// parent would have: the session's imports and declarations, the values of
// its variables at the moment of the fork, and the function's source.
type Payload struct {
	// Imports maps package names to import paths.
	Imports map[string]string `json:"imports"`
	// Decls are the session's types, functions, methods and constants, in
	// the order they were declared; the child declares them in one file
	// (no package clause).
	Decls []Decl `json:"decls"`
	// Natives are the session's native cells (%%native), which the child
	// loads and imports, in this order, before it declares Decls.
	Natives []Native `json:"natives,omitempty"`
	// Vars are the session's variables the child declares, with their
	// values.
	Vars []Var `json:"vars"`
	// Captures are the values of the site's captured locals, in the order
	// of Site.Captures (their Name is the local's).
	Captures []Var `json:"captures,omitempty"`
	// Pointers are what the pointers and maps in Vars and Captures point
	// to (Encoder.Pointers), each once.
	Pointers map[string]any `json:"pointers,omitempty"`
	// Site is the function to run; Sites all fork sites of the session, so
	// the child can fork in turn.
	Site  Site         `json:"site"`
	Sites map[int]Site `json:"sites"`
	// Dir is the parent's working directory.
	Dir string `json:"dir"`
	// Env is the environment cells saw in the parent (the interpreter keeps
	// its own copy of it).
	Env []string `json:"env"`
	// TraceFD is the rt.Trace socket (in the parent its number there, in
	// the child its number in the child), or 0
	// when no trace is running.
	TraceFD int `json:"trace_fd,omitempty"`
}

// Decl is the source of one top-level declaration, placed in the cell that
// declared it, so that the child's errors and tracebacks name the lines the
// learner sees.
type Decl struct {
	Src string `json:"src"`
	// Line and Col are where Src starts in its cell (1-based).
	Line int `json:"line"`
	Col  int `json:"col"`
}

// Native is a native cell's package: its import path and the directory
// of its plugin (see session/native.Load).
type Native struct {
	Path string `json:"path"`
	Dir  string `json:"dir"`
	// Vars are the values of its package-level variables whose names are
	// still the native cell's, as in Payload.Vars (Type unused).
	Vars []Var `json:"vars,omitempty"`
}

// Site is one rt.Fork call in a cell.
type Site struct {
	// Line and Col place Src in its cell (1-based), so errors point there.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Src is the function literal, "func() { ... }", the child runs; empty
	// when Cell is set. The child runs it with the captured locals as its
	// parameters.
	Src string `json:"src"`
	// Text is the cell's lines Src spans, from Line on, as the cell has
	// them: what the child quotes in its errors.
	Text string `json:"text,omitempty"`
	// Func is the name of the function whose body holds an rt.Fork() in
	// C's shape (the child's code runs as that function in its
	// tracebacks); empty for a function literal.
	Func string `json:"func,omitempty"`
	// Cell, for rt.Fork() at a cell's top level, is the rest of the cell,
	// which the child runs as a cell (lines before it blank).
	Cell string `json:"cell,omitempty"`
	// Captures are the local variables of the functions around the site
	// that Src uses (declared outside it), in the order the rewritten call
	// passes their values; Types their type expressions where the cell's
	// source tells ("" otherwise). Session variables are not captures: the
	// child has them all.
	Captures []string `json:"captures"`
	Types    []string `json:"types"`
}

// Var is one variable the child declares.
type Var struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Value is the encoded value; Zero means the child leaves it zero (a
	// variable the child cannot reach and the encoder could not carry).
	Value any  `json:"value"`
	Zero  bool `json:"zero,omitempty"`
	// Reached says the child's code may use the variable; a variable it
	// cannot reach is left zero when its value cannot be rebuilt.
	Reached bool `json:"reached,omitempty"`
}

// EnvPayloadFD names the environment variable that gives a cold-started
// child the descriptor its payload is read from.
const EnvPayloadFD = "GOSYS_FORK_PAYLOAD_FD"

// ReadPayload reads the payload of this child process from the descriptor
// named by EnvPayloadFD, and closes it.
func ReadPayload() (*Payload, error) {
	v := os.Getenv(EnvPayloadFD)
	fd, err := strconv.Atoi(v)
	if err != nil {
		return nil, fmt.Errorf("fork child: %s=%q: not a descriptor", EnvPayloadFD, v)
	}
	os.Unsetenv(EnvPayloadFD)
	f := os.NewFile(uintptr(fd), "fork-payload")
	defer f.Close()
	p, err := decodePayload(f)
	if err != nil {
		return nil, err
	}
	// The trace socket came at a number of the child's own (ChildStartup).
	p.TraceFD = 0
	if v, ok := os.LookupEnv(EnvTraceFD); ok {
		os.Unsetenv(EnvTraceFD)
		if t, err := strconv.Atoi(v); err == nil {
			p.TraceFD = t
		}
	}
	return p, nil
}

func decodePayload(r io.Reader) (*Payload, error) {
	var p Payload
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, fmt.Errorf("fork child: read payload: %w", err)
	}
	return &p, nil
}
