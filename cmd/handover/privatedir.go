package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/handover-project/handover/internal/errs"
)

// A private directory holds a clear copy of the database for the time of
// one command: the snapshot a backup encrypts, the database a restore
// decrypts. It is made 0700 inside the trust domain of the data (the data
// directory, the target's parent, or a --tmp the operator names), never
// beside the backups, and the command removes it on every path it
// returns by. A kill (SIGKILL, the OOM killer, a timeout) returns by none:
// so each command holds a lock on its own directory while it lives, and
// removes, before it makes its own, every directory of its kind that
// nobody holds.

// privateDir removes the stale directories named prefix* in parent
// (saying so on stderr), then makes a new one there, locked. done unlocks
// and removes it; call it on every path.
func (m *Main) privateDir(op, parent, prefix string) (dir string, done func(), err error) {
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return "", nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot make %s for the clear copy of the database", parent), err)
	}
	m.removeStale(op, parent, prefix)
	dir, err = os.MkdirTemp(parent, prefix+"*")
	if err != nil {
		return "", nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot make a private directory in %s for the clear copy of the database", parent), err)
	}
	// The lock tells a later run that the directory is in use. Where
	// there are no locks, a later run names it on stderr instead of
	// removing it.
	lock, err := os.Open(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, errs.E(op, errs.Internal, fmt.Sprintf("cannot open %s", dir), err)
	}
	_, _ = tryLock(lock)
	return dir, func() {
		os.RemoveAll(dir)
		lock.Close()
	}, nil
}

// removeStale removes the directories named prefix* in parent that no
// living command holds: what a killed backup or restore left, a clear copy
// of the database.
func (m *Main) removeStale(op, parent, prefix string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		path := filepath.Join(parent, e.Name())
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		held, err := tryLock(f)
		switch {
		case err != nil:
			fmt.Fprintf(m.Stderr, "%s: %s may be a clear copy of the database left by a run that did not finish; it cannot be locked (%v): remove it by hand\n", op, path, err)
		case !held:
			// A command running now: its own copy.
		default:
			if err := os.RemoveAll(path); err != nil {
				fmt.Fprintf(m.Stderr, "%s: cannot remove %s, a clear copy of the database left by a run that did not finish: %v\n", op, path, err)
			} else {
				fmt.Fprintf(m.Stderr, "%s: removed %s, a clear copy of the database left by a run that did not finish (killed?)\n", op, path)
			}
		}
		f.Close()
	}
}
