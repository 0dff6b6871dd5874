package dispatch

import (
	"gosys/internal/content"
	"gosys/kernel/wire"
)

// cellLog numbers the cells the kernel runs and remembers the request of
// the recent ones, so that output that comes after a cell ended (a
// goroutine's panic) goes to that cell. Guarded by Kernel.mu.
type cellLog struct {
	next    int
	recent  map[int]*wire.Message
	running int            // the running cell, 0 when none
	failed  *content.Error // first goroutine panic of the running cell
}

// keepCells is how many cells' requests the log keeps.
const keepCells = 64

// begin numbers a new cell, the running one from now.
func (c *cellLog) begin(m *wire.Message) int {
	c.next++
	if c.recent == nil {
		c.recent = map[int]*wire.Message{}
	}
	c.recent[c.next] = m
	delete(c.recent, c.next-keepCells)
	c.running, c.failed = c.next, nil
	return c.next
}

// end says the running cell ended.
func (c *cellLog) end() { c.running, c.failed = 0, nil }

// failure returns the first goroutine panic of the running cell, or nil.
func (c *cellLog) failure() *content.Error { return c.failed }

// note records an error of cell and returns the request its output goes to:
// the cell's own, else the running cell's, else nil. fails says the error
// fails the cell if it is running.
func (c *cellLog) note(cell int, e *content.Error, fails bool) *wire.Message {
	if cell == c.running && fails && c.failed == nil {
		c.failed = e
	}
	if m := c.recent[cell]; m != nil {
		return m
	}
	return c.recent[c.running]
}
