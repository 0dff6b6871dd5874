package link

import "gosys/internal/content"

// Message types. Requests from the kernel carry an ID that their reply
// repeats; the others have none.
const (
	// Session → kernel, once its interpreter is ready: Hello.
	TypeHello = "hello"

	// Kernel → session: run a cell (Execute); the reply is TypeResult. A
	// TypeDecls message about the same cell comes before it.
	TypeExecute = "execute"
	TypeResult  = "result"
	TypeDecls   = "decls"

	// Kernel → session: Complete / Inspect, answered with a message of the
	// same type and ID (Completion / Inspection).
	TypeComplete = "complete"
	TypeInspect  = "inspect"

	// Kernel → session: declare a dead session's declarations again
	// (Recipe); the reply, same type and ID, is a Restored.
	TypeRestore = "restore"

	// Kernel → session: stop the running cell (Interrupt). No reply: the
	// cell's TypeResult says it was interrupted.
	TypeInterrupt = "interrupt"

	// Kernel → session: a new descriptor 0 for the cells (one passed
	// descriptor, the read end of a pipe). No body, no reply.
	TypeStdin = "stdin"

	// Kernel → session: end every process the cells started, then exit.
	TypeShutdown = "shutdown"

	// Session → kernel, at any time: a goroutine a cell started panicked
	// (GoroutinePanic); the session goes on.
	TypeGoroutinePanic = "goroutine_panic"

	// Session → kernel: the interrupted cell has not stopped yet (Stuck);
	// the kernel may restart the session.
	TypeStuck = "stuck"

	// Session → kernel: a frame a panic unwound (Frame), sent as the panic
	// goes, so that the kernel can point at the cell line if the panic ends
	// the session.
	TypeFrame = "frame"
)

// Frame is one line the interpreter wrote for a frame a panic unwound
// ("12:3: panic: main.handle(...)"), on goroutine G.
type Frame struct {
	G    uint64 `json:"g"`
	Text string `json:"text"`
}

// Hello is the session's first message.
type Hello struct {
	Pid int `json:"pid"`
}

// Execute asks the session to run one cell.
type Execute struct {
	// Cell numbers the cell in the kernel's life (not the execution count,
	// which a silent cell does not have); goroutine panics name it.
	Cell int    `json:"cell"`
	Code string `json:"code"`
	// UserExpressions are evaluated after the cell, as the protocol asks.
	UserExpressions map[string]string `json:"user_expressions,omitempty"`
}

// Interrupt asks the session to stop the running cell.
type Interrupt struct {
	// StuckAfterMS is when, after the interrupt, the session reports where
	// a cell that has not stopped is blocked (TypeStuck), in milliseconds.
	StuckAfterMS int `json:"stuck_after_ms,omitempty"`
}

// Result is what a cell produced besides its streamed output.
type Result struct {
	// Value is the value of the last expression, nil when there is none.
	Value *content.Bundle `json:"value,omitempty"`
	// Err is set when the cell failed.
	Err *content.Error `json:"error,omitempty"`
	// Page is text for the frontend's pager ("fmt.Println?").
	Page string `json:"page,omitempty"`
	// Expressions are the user expressions' results, by name.
	Expressions map[string]Expression `json:"expressions,omitempty"`
}

// Expression is the value or the error of one user expression.
type Expression struct {
	Value *content.Bundle `json:"value,omitempty"`
	Err   *content.Error  `json:"error,omitempty"`
}

// Complete asks for completions at a cursor (a rune offset, as the protocol
// counts).
type Complete struct {
	Code   string `json:"code"`
	Cursor int    `json:"cursor"`
}

// Completion answers Complete.
type Completion struct {
	Matches []string `json:"matches"`
	Start   int      `json:"start"`
	End     int      `json:"end"`
}

// Inspect asks for documentation of the name at a cursor.
type Inspect struct {
	Code   string `json:"code"`
	Cursor int    `json:"cursor"`
}

// Inspection answers Inspect.
type Inspection struct {
	Text  string `json:"text"`
	Found bool   `json:"found"`
}

// GoroutinePanic reports a panic that ended a goroutine of a cell.
type GoroutinePanic struct {
	// Cell is the cell whose go statement started the goroutine.
	Cell int            `json:"cell"`
	Err  *content.Error `json:"error"`
}

// Stuck says where the interrupted cell is still blocked.
type Stuck struct {
	Cell int `json:"cell"`
	// Where names the call it is blocked in, as a learner would recognise
	// it ("time.Sleep", "sync.(*WaitGroup).Wait"), or "" if unknown.
	Where string `json:"where"`
}

// Recipe is what a fresh session needs to declare again what the cells of
// a dead one declared: imports, declarations from their source, and the
// variables (names and types, not values).
type Recipe struct {
	Imports []Import `json:"imports,omitempty"`
	Decls   []Decl   `json:"decls,omitempty"`
	Vars    []Var    `json:"vars,omitempty"`
	// Natives are the session's native cells' packages, all of them in
	// the order the session imported them (not a change: a report that
	// has them replaces the list).
	Natives []Native `json:"natives,omitempty"`
}

// Native is a native cell's compiled package: its import path and the
// directory of its plugin (see session/native).
type Native struct {
	Path string `json:"path"`
	Dir  string `json:"dir"`
}

// Import is one package a cell imported.
type Import struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// Decl is one top-level name a cell declared (a type, function, method
// "T.M", constant or var declaration), with the source of its declaration.
// Several names may share one Src (a grouped declaration).
type Decl struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // type, func, const, var
	Src  string `json:"src"`
}

// Var is a session variable: its name and its type as Go source.
type Var struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Restored answers Restore: what was declared again and what could not be.
type Restored struct {
	Imports []string `json:"imports,omitempty"`
	Types   []string `json:"types,omitempty"`
	Funcs   []string `json:"funcs,omitempty"`
	Consts  []string `json:"consts,omitempty"`
	Vars    []string `json:"vars,omitempty"`
	// Failed lists what could not be declared again, with the reason.
	Failed []string `json:"failed,omitempty"`
}
