package report

import (
	"sync"
	"sync/atomic"
)

// Keys makes catalog keys of a prefix and a name ("dane.resolver." and
// "validating"), each once: most of a report's keys are joined from a
// fixed prefix and one of a few names, and joining them again for every
// domain of a bulk run was an allocation each. A Keys remembers at most
// maxKeys names (a name that came from the network makes its key anew
// once the memo is full, as before).
type Keys struct {
	prefix string
	keys   sync.Map // name -> prefix+name
	n      atomic.Int32
}

const maxKeys = 256

// NewKeys returns the memo of prefix.
func NewKeys(prefix string) *Keys { return &Keys{prefix: prefix} }

// Key is prefix+name.
func (m *Keys) Key(name string) string {
	if k, ok := m.keys.Load(name); ok {
		return k.(string)
	}
	k := m.prefix + name
	// A place is taken before the name is stored, and given back when
	// another goroutine stored it first: never more than maxKeys names.
	if m.n.Load() < maxKeys {
		if m.n.Add(1) > maxKeys {
			m.n.Add(-1)
		} else if _, loaded := m.keys.LoadOrStore(name, k); loaded {
			m.n.Add(-1)
		}
	}
	return k
}

// T is T(m.Key(name), p).
func (m *Keys) T(name string, p Params) Msg { return T(m.Key(name), p) }
