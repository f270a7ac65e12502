package cqrs

import (
	"context"
	"sync"
)

// keyedMutex serialises work per key, so that concurrent commands for one
// entity load, handle and save in turn (and services sharing a router start
// in turn: routerLocks). Each key has a lock of its own while
// anyone holds or waits for it: work on two keys never waits on each other,
// which matters because a handler on the synchronous ChannelTransport holds
// its entity's lock while the handlers of what it sends run.
type keyedMutex[K comparable] struct {
	mu    sync.Mutex
	locks map[K]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int // holders and waiters
}

func (k *keyedMutex[K]) lock(key K) func() {
	l := k.acquire(key)
	l.Lock()
	return k.releaser(key, l)
}

// lockIn is lock for a handler running in ctx, which it returns recording
// the lock as held, with the lock to pass to unlock (no closure per lock:
// a handler takes one per message). When ctx's synchronous chain holds
// key's lock already (a handler upstream waits, through a synchronous
// ChannelTransport publish, on the message being handled), the nearest
// such publish is released first: the chain goes on and frees the lock
// instead of waiting on itself.
func (k *keyedMutex[K]) lockIn(ctx context.Context, key K) (context.Context, *keyLock) {
	l := k.acquire(key)
	if d := chainOf(ctx).waiterOn(l); d != nil {
		d.release(l)
	}
	l.Lock()
	return withHeldLock(ctx, l), l
}

// acquire returns key's lock, counting the caller among its users.
func (k *keyedMutex[K]) acquire(key K) *keyLock {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.locks == nil {
		k.locks = map[K]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	return l
}

// releaser returns the function unlocking l (see unlock).
func (k *keyedMutex[K]) releaser(key K, l *keyLock) func() {
	return func() { k.unlock(key, l) }
}

// unlock unlocks l, key's lock, and forgets it when nobody else holds or
// waits for it.
func (k *keyedMutex[K]) unlock(key K, l *keyLock) {
	l.Unlock()
	k.mu.Lock()
	if l.users--; l.users == 0 {
		delete(k.locks, key)
	}
	k.mu.Unlock()
}

// sagaLockKey and viewLockKey key the per-entity locks of sagas and views
// apart, so a saga and a view of the same name never share a lock.
func sagaLockKey(name, id string) string { return "saga\x00" + name + "\x00" + id }

func viewLockKey(name, id string) string { return "view\x00" + name + "\x00" + id }

// recordLockKey keys the lock under which the CommandBus looks up and stores
// a command with a derived id, apart from the saga and view locks.
func recordLockKey(entityID, messageID string) string {
	return "command\x00" + entityID + "\x00" + messageID
}
