package dispatch

import (
	"context"
	"slices"
	"time"
)

// welcome publishes iopub_welcome (JEP 65) when a subscription appears.
// zmq4 v0.17's XPUB consumes subscription frames itself instead of handing
// them to Recv, so new subscriptions are seen by watching the socket's topic
// set; a second subscriber to a topic already present is not noticed.
func (k *Kernel) welcome(ctx context.Context) {
	var known []string
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-k.done:
			return
		case <-tick.C:
		}
		if k.Channels.Topics == nil {
			return
		}
		topics := k.Channels.Topics()
		for _, t := range topics {
			if !slices.Contains(known, t) {
				k.Publisher.Welcome(t)
			}
		}
		known = topics
	}
}
