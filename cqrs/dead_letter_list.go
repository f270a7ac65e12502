package cqrs

import "sync"

// keptDeadLetters bounds the dead letters a PubSubTransport keeps in memory
// for DeadLetters, as ChannelConfig.MaxDeadLetters does by default.
const keptDeadLetters = 1000

// deadLetterList keeps the last keptDeadLetters dead letters, oldest first.
// It is safe for concurrent use.
type deadLetterList struct {
	mu   sync.Mutex
	list []DeadLetter
}

func (l *deadLetterList) add(dl DeadLetter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, dl)
	if len(l.list) > keptDeadLetters {
		l.list = l.list[len(l.list)-keptDeadLetters:]
	}
}

func (l *deadLetterList) snapshot() []DeadLetter {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]DeadLetter(nil), l.list...)
}
