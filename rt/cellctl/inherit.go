package cellctl

import (
	"reflect"
	"sync"
)

// Values that need to know they now live in a forked child: a *rt.FILE
// the child got from its parent is one of the child's streams, which its
// exit flushes, as C's exit(3) flushes every stream, written to or not.
// rt registers its types at init; the fork decoder reports what it built.
var inheritors sync.Map // reflect.Type -> func(reflect.Value)

// OnInherit has f called with each value of type t that the fork decoder
// rebuilds in a child (Inherited). Registered at init.
func OnInherit(t reflect.Type, f func(reflect.Value)) {
	inheritors.Store(t, f)
}

// Inherited is called by the fork decoder with each pointer it rebuilt in a
// child; it calls the function registered for v's type, if any.
func Inherited(v reflect.Value) {
	if !v.IsValid() {
		return
	}
	if f, ok := inheritors.Load(v.Type()); ok {
		f.(func(reflect.Value))(v)
	}
}

// exitHooks run when a forked child ends normally (Exiting): rt.Exit's and
// the end of the child's code alike, as returning from C's main is exit.
var exitHooks struct {
	mu sync.Mutex
	fs []func()
}

// AtExit has f run by Exiting. Registered at init.
func AtExit(f func()) {
	exitHooks.mu.Lock()
	defer exitHooks.mu.Unlock()
	exitHooks.fs = append(exitHooks.fs, f)
}

// Exiting runs the AtExit functions, in the order they were registered. A
// child calls it once, just before it ends with a status of its choosing;
// not when it is killed or calls os.Exit (C's _exit).
func Exiting() {
	exitHooks.mu.Lock()
	fs := exitHooks.fs
	exitHooks.mu.Unlock()
	for _, f := range fs {
		f()
	}
}
