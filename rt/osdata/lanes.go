package osdata

import "time"

// LaneText is one write to descriptor 1 or 2 seen by rt.Lanes.
type LaneText struct {
	Pid    int       // the process that wrote
	Stream string    // "stdout" or "stderr"
	At     time.Time // when it was written
	Text   string    // what one write(2) wrote, whole
}
