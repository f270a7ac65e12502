package encryption

import (
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// refusalLogEvery is the least time between two logs of the key refused
// under one encryption context, but for the first refusal past the grace.
const refusalLogEvery = time.Minute

// refusalLogContexts bounds the encryption contexts whose last log is
// remembered: past it, the contexts not remembered share one log a minute.
const refusalLogContexts = 1024

// refusalLogOverflow is the entry the contexts beyond refusalLogContexts
// share: no encryption context's canonical form is empty.
const refusalLogOverflow = ""

// refusalLog decides which refusals of the key are logged: one a minute per
// encryption context (the Encrypter has one key, so per key and context),
// so that a context refused every few seconds does not hide another, and
// the first refusal of a context past its grace at once, so that a
// "retried" log does not hold back the news that its messages now fail.
// It remembers at most refusalLogContexts contexts and forgets those
// logged more than a minute ago when it is full, at most once a minute, so
// a refusal does not scan the map. It is safe for concurrent use.
type refusalLog struct {
	mu    sync.Mutex
	last  map[string]refusalLogged // the last log of each context
	swept time.Time                // when last was last swept
}

// refusalLogged is the last log of the key refused under one context.
type refusalLogged struct {
	at   time.Time
	over bool // the refusal logged was past the grace
}

// allow reports whether a refusal under the context named name (its
// canonical form), past the grace when over, is logged at now, and if so
// records it.
func (l *refusalLog) allow(name string, now time.Time, over bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]refusalLogged{}
	}
	if _, ok := l.last[name]; !ok && len(l.last) >= refusalLogContexts {
		l.sweep(now)
		if len(l.last) >= refusalLogContexts {
			name = refusalLogOverflow
		}
	}
	if prev, ok := l.last[name]; ok && now.Sub(prev.at) < refusalLogEvery && (prev.over || !over) {
		return false
	}
	l.last[name] = refusalLogged{at: now, over: over}
	return true
}

// sweep forgets the contexts logged refusalLogEvery or longer before now,
// unless it did so less than refusalLogEvery before.
func (l *refusalLog) sweep(now time.Time) {
	if now.Sub(l.swept) < refusalLogEvery {
		return
	}
	l.swept = now
	for n, prev := range l.last {
		if now.Sub(prev.at) >= refusalLogEvery {
			delete(l.last, n)
		}
	}
}

// logRefusal logs a refusal of the key under ec, unless one under ec was
// logged less than refusalLogEvery before now (and, for a refusal past the
// grace, that one was past it too).
func (e *Encrypter) logRefusal(now time.Time, ec EncryptionContext, since time.Time, over bool, err error) {
	if !e.refusalLog.allow(ec.canonical(), now, over) {
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
