package main

import (
	"context"
	"fmt"
	"time"

	"gosys/session/native"
)

// runNativeWarm builds an empty native cell (see native.Warm), bounded by
// native.BuildTimeout.
func runNativeWarm() error {
	start := time.Now()
	if err := native.Warm(context.Background()); err != nil {
		return fmt.Errorf("native-warm: %w", err)
	}
	fmt.Printf("native cells: Go build cache ready in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}
