package cqrs

import "sync"

// keptDeadLetters bounds the dead letters a PubSubTransport keeps in memory
// for DeadLetters, as ChannelConfig.MaxDeadLetters does by default.
const keptDeadLetters = 1000

// deadLetterList keeps the last max dead letters (keptDeadLetters when
// zero), oldest first, and tells the functions that watch it of each one
// added (see notify). It is safe for concurrent use.
type deadLetterList struct {
	max int

	mu       sync.Mutex
	list     []DeadLetter
	watchers map[int]func(DeadLetter)
	watched  int // the watchers added so far, the next one's key
}

func (l *deadLetterList) add(dl DeadLetter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, dl)
	if bound := l.bound(); len(l.list) > bound {
		l.list = l.list[len(l.list)-bound:]
	}
	for _, f := range l.watchers {
		f(dl)
	}
}

func (l *deadLetterList) bound() int {
	if l.max > 0 {
		return l.max
	}
	return keptDeadLetters
}

func (l *deadLetterList) snapshot() []DeadLetter {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]DeadLetter(nil), l.list...)
}

// notify calls f with each dead letter added from now on, in the order
// they are added, until stop is called; once stop returns f is called no
// more. f runs while the list is locked: it must return quickly and not
// read the list.
func (l *deadLetterList) notify(f func(DeadLetter)) (stop func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.watchers == nil {
		l.watchers = map[int]func(DeadLetter){}
	}
	key := l.watched
	l.watched++
	l.watchers[key] = f
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.watchers, key)
	}
}
