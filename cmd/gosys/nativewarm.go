package main

import (
	"context"
	"fmt"
	"time"

	"gosys/session/native"
)

const nativeWarmUsage = `usage: gosys native-warm [--seed DIR]

Builds an empty native cell, so that the Go build cache holds the standard
library and gosys/rt compiled for plugins and a first %%native cell takes
about a second, not tens of seconds. Without --seed, into this user's Go
build cache (go run ./install does this). With --seed DIR, into DIR, a seed
a system-wide install keeps beside its kit (scripts/install-system.sh): each
user's first native cell copies it into that user's own cache.

`

// runNativeWarm builds an empty native cell (see native.Warm), bounded by
// native.BuildTimeout.
func runNativeWarm(args []string) error {
	fs := newFlags("native-warm", nativeWarmUsage)
	seed := fs.String("seed", "", "build into the seed `DIR` instead of this user's Go build cache")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{"native-warm", fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	start := time.Now()
	var err error
	if *seed != "" {
		err = native.WarmSeed(context.Background(), *seed)
	} else {
		err = native.Warm(context.Background())
	}
	if err != nil {
		return fmt.Errorf("native-warm: %w", err)
	}
	fmt.Printf("native cells: Go build cache ready in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}
