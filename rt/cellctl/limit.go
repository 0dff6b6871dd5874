package cellctl

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"gosys/internal/fdspace"
)

// The children limit counts the processes rt.Fork started in the whole
// session tree (the session, its children, theirs...), so that a fork bomb
// meets it however deep it goes. The count lives in a table of slots in
// shared memory (a memfd every process of the tree maps): a fork takes a
// free slot first and writes the child's pid into it; whoever reaps that
// pid frees it. When the table looks full, slots of processes that no
// longer exist (reaped by code outside rt) are freed before giving up.
//
// Slot values: 0 free; pid a live child; reserved|pid a slot that process
// pid took and has not filled yet.

// EnvChildTable names the environment variable holding the table's
// descriptor in the processes of a session tree.
const EnvChildTable = "GOSYS_CHILD_TABLE_FD"

const reserved = 1 << 63

var table struct {
	mu    sync.Mutex
	slots []uint64 // the shared mapping; nil when there is no limit
	fd    int
}

// ErrTooManyChildren is wrapped, with syscall.EAGAIN, by the error of a
// fork refused by the children limit.
var ErrTooManyChildren = errors.New("too many live processes started by rt.Fork in this session")

// CreateChildTable makes the table for a session allowing max processes
// started by rt.Fork at once, and names its descriptor (at fdspace.Floor or
// above) in the environment for the children. It is meant to be called
// once, by the session process.
func CreateChildTable(max int) error {
	if max <= 0 {
		return fmt.Errorf("children limit %d: must be positive", max)
	}
	fd, err := unix.MemfdCreate("gosys-children", unix.MFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("children table: %w", err)
	}
	if fd, err = fdspace.Lift(fd); err != nil {
		return err
	}
	if err := unix.Ftruncate(fd, int64(max*8)); err != nil {
		unix.Close(fd)
		return fmt.Errorf("children table: %w", err)
	}
	if err := mapTable(fd); err != nil {
		return err
	}
	return os.Setenv(EnvChildTable, strconv.Itoa(fd))
}

// OpenChildTable maps the table named in the environment, in a process
// forked for a cell. Without one (a process outside a session) forks are
// not limited.
func OpenChildTable() error {
	v, ok := os.LookupEnv(EnvChildTable)
	if !ok {
		return nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("%s=%q: not a descriptor", EnvChildTable, v)
	}
	unix.CloseOnExec(fd)
	return mapTable(fd)
}

func mapTable(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("children table: %w", err)
	}
	if st.Size < 8 || st.Size%8 != 0 {
		return fmt.Errorf("children table: size %d", st.Size)
	}
	mem, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("children table: mmap: %w", err)
	}
	table.mu.Lock()
	defer table.mu.Unlock()
	table.slots = unsafe.Slice((*uint64)(unsafe.Pointer(&mem[0])), len(mem)/8)
	table.fd = fd
	return nil
}

// ChildTableFD returns the table's descriptor, which forked children must
// receive at the same number, or -1 when there is no table.
func ChildTableFD() int {
	table.mu.Lock()
	defer table.mu.Unlock()
	if table.slots == nil {
		return -1
	}
	return table.fd
}

// ChildLimit returns the number of slots, 0 when forks are not limited.
func ChildLimit() int {
	table.mu.Lock()
	defer table.mu.Unlock()
	return len(table.slots)
}

// Slot is a reservation for one child; the zero Slot (no limit) is valid.
type Slot struct{ i int }

// ReserveChild takes a slot for a child about to be started. When the
// session tree already has as many live forked processes as the limit, it
// returns an error wrapping syscall.EAGAIN (fork(2)'s error for this) and
// ErrTooManyChildren.
func ReserveChild() (Slot, error) {
	table.mu.Lock()
	slots := table.slots
	table.mu.Unlock()
	if slots == nil {
		return Slot{i: -1}, nil
	}
	me := uint64(os.Getpid())
	for pass := 0; pass < 2; pass++ {
		for i := range slots {
			if atomic.CompareAndSwapUint64(&slots[i], 0, reserved|me) {
				return Slot{i: i}, nil
			}
		}
		if pass == 0 && sweep(slots) == 0 {
			break
		}
	}
	return Slot{i: -1}, fmt.Errorf("%w (%w): the limit is %d at once; wait for some with rt.Wait, or raise it with GOSYS_MAX_CHILDREN",
		syscall.EAGAIN, ErrTooManyChildren, len(slots))
}

// Commit records the child's pid in the slot.
func (s Slot) Commit(pid int) {
	if s.i < 0 {
		return
	}
	table.mu.Lock()
	slots := table.slots
	table.mu.Unlock()
	atomic.StoreUint64(&slots[s.i], uint64(pid))
}

// Cancel frees a slot whose child did not start.
func (s Slot) Cancel() {
	if s.i < 0 {
		return
	}
	table.mu.Lock()
	slots := table.slots
	table.mu.Unlock()
	atomic.StoreUint64(&slots[s.i], 0)
}

// ReleaseChild frees the slot of pid, a process that was just reaped. It
// does nothing for a pid that holds no slot.
func ReleaseChild(pid int) {
	table.mu.Lock()
	slots := table.slots
	table.mu.Unlock()
	for i := range slots {
		if atomic.CompareAndSwapUint64(&slots[i], uint64(pid), 0) {
			return
		}
	}
}

// sweep frees the slots of processes that no longer exist and returns how
// many it freed. A zombie still exists: like fork(2)'s limit, a child
// counts until it is reaped.
func sweep(slots []uint64) int {
	freed := 0
	for i := range slots {
		v := atomic.LoadUint64(&slots[i])
		if v == 0 {
			continue
		}
		pid := int(v &^ reserved)
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			if atomic.CompareAndSwapUint64(&slots[i], v, 0) {
				freed++
			}
		}
	}
	return freed
}

// LiveChildren returns how many slots are taken, for tests and views.
func LiveChildren() int {
	table.mu.Lock()
	slots := table.slots
	table.mu.Unlock()
	n := 0
	for i := range slots {
		if atomic.LoadUint64(&slots[i]) != 0 {
			n++
		}
	}
	return n
}
