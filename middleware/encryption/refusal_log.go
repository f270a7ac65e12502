package encryption

import (
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// refusalLogEvery is the least time between two logs of the key refused
// under one encryption context.
const refusalLogEvery = time.Minute

// refusalLogContexts bounds the encryption contexts whose last log is
// remembered: past it, the contexts not remembered share one log a minute.
const refusalLogContexts = 1024

// refusalLogOverflow is the entry the contexts beyond refusalLogContexts
// share: no encryption context's canonical form is empty.
const refusalLogOverflow = ""

// refusalLog decides which refusals of the key are logged: one a minute per
// encryption context (the Encrypter has one key, so per key and context),
// so that a context refused every few seconds does not hide another. It
// remembers only the contexts logged within the last minute, and at most
// refusalLogContexts of them. It is safe for concurrent use.
type refusalLog struct {
	mu   sync.Mutex
	last map[string]time.Time // when each context was last logged
}

// allow reports whether a refusal under the context named name (its
// canonical form) is logged at now, and if so records it.
func (l *refusalLog) allow(name string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for n, at := range l.last {
		if now.Sub(at) >= refusalLogEvery {
			delete(l.last, n)
		}
	}
	if _, ok := l.last[name]; !ok && len(l.last) >= refusalLogContexts {
		name = refusalLogOverflow
	}
	if _, ok := l.last[name]; ok {
		return false
	}
	if l.last == nil {
		l.last = map[string]time.Time{}
	}
	l.last[name] = now
	return true
}

// logRefusal logs a refusal of the key under ec, unless one under ec was
// logged less than refusalLogEvery before now.
func (e *Encrypter) logRefusal(now time.Time, ec EncryptionContext, since time.Time, over bool, err error) {
	if !e.refusalLog.allow(ec.canonical(), now) {
		return
	}
	msg := "encryption: KMS refuses the key; its messages are retried until the grace ends"
	if over {
		msg = "encryption: KMS refuses the key past the grace; its messages fail permanently"
	}
	e.cfg.Logger.Error(msg, err, watermill.LogFields{
		"key_id": e.cfg.KeyID, "destination": ec.Destination, "type": ec.Type,
		"refused_since": since.UTC().Format(time.RFC3339), "grace": KeyRefusalGrace.String(),
	})
}
