package cqrs

import (
	"hash/maphash"
	"sync"
)

// keyedMutex serialises work per key with a fixed set of striped locks, so
// that concurrent commands for one entity load, handle and save in turn.
type keyedMutex struct {
	once  sync.Once
	seed  maphash.Seed
	locks [256]sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.once.Do(func() { k.seed = maphash.MakeSeed() })
	m := &k.locks[maphash.String(k.seed, key)%uint64(len(k.locks))]
	m.Lock()
	return m.Unlock
}
