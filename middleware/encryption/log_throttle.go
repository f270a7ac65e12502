package encryption

import (
	"sync"
	"time"
)

// logThrottleEvery is the least time between two lines of one name a
// logThrottle lets through, but for the first urgent one.
const logThrottleEvery = time.Minute

// logThrottleNames bounds the names whose last line is remembered: past
// it, the names not remembered share one line a minute.
const logThrottleNames = 1024

// logThrottleOverflow is the entry the names beyond logThrottleNames
// share: no name the callers give is empty.
const logThrottleOverflow = ""

// logThrottle decides which of a stream of like log lines are written: one
// a minute per name, so that one name logged every few seconds does not
// hide another, and the first urgent line of a name at once, so that a
// routine line does not hold back news. The lines it holds back are
// counted, per name, for the next line let through to report. The
// Encrypter's refusals of its key are named by encryption context (and a
// refusal past the grace is urgent); the KMS client's panics by operation.
// It remembers at most logThrottleNames names and forgets those logged
// more than a minute ago when it is full, at most once a minute, so a line
// does not scan the map. It is safe for concurrent use.
type logThrottle struct {
	mu    sync.Mutex
	last  map[string]throttledLine // the last line of each name
	swept time.Time                // when last was last swept
}

// throttledLine is the last line of one name let through.
type throttledLine struct {
	at     time.Time
	urgent bool
	held   int // the lines of the name held back since
}

// allow reports whether a line named name, urgent or not, is written at
// now, and if so records it.
func (l *logThrottle) allow(name string, now time.Time, urgent bool) bool {
	ok, _ := l.admit(name, now, urgent)
	return ok
}

// admit is allow that also returns, for a line let through, how many lines
// of its name were held back since the last one let through.
func (l *logThrottle) admit(name string, now time.Time, urgent bool) (ok bool, held int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]throttledLine{}
	}
	if _, ok := l.last[name]; !ok && len(l.last) >= logThrottleNames {
		l.sweep(now)
		if len(l.last) >= logThrottleNames {
			name = logThrottleOverflow
		}
	}
	prev, seen := l.last[name]
	if seen && now.Sub(prev.at) < logThrottleEvery && (prev.urgent || !urgent) {
		prev.held++
		l.last[name] = prev
		return false, 0
	}
	l.last[name] = throttledLine{at: now, urgent: urgent}
	return true, prev.held
}

// sweep forgets the names logged logThrottleEvery or longer before now,
// unless it did so less than logThrottleEvery before.
func (l *logThrottle) sweep(now time.Time) {
	if now.Sub(l.swept) < logThrottleEvery {
		return
	}
	l.swept = now
	for n, prev := range l.last {
		if now.Sub(prev.at) >= logThrottleEvery {
			delete(l.last, n)
		}
	}
}
