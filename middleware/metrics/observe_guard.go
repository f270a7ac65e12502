package metrics

import (
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// panicLog logs the first panic of each kind of source the observable
// instruments read, so that a source that panics at every collection
// does not log its stack at every collection.
type panicLog struct {
	logger watermill.LoggerAdapter
	mu     sync.Mutex
	logged map[string]bool
}

// guard runs observe, the observation of one kind of source (what names
// it). A panic of a source (a bug in it) fails that observation only: its
// instruments report nothing in this collection, and the others are
// reported. The SDK does not recover a callback's panic, so it would end
// the process from the goroutine that collects for the exporter. Nor does
// the failure become the callback's error: a periodic reader exports
// nothing at all from a collection that returned one. The first panic of
// each kind is logged with its stack, the value described as
// sourceflow.PanicText does.
func (l *panicLog) guard(what string, observe func()) {
	defer func() {
		v := recover()
		if v == nil || !l.first(what) {
			return
		}
		l.logger.Error("Metric source panicked; its instruments report nothing while it panics, and later panics are not logged",
			fmt.Errorf("the %s source panicked: %s", what, sourceflow.PanicText(v)),
			watermill.LogFields{"stack": string(debug.Stack())})
	}()
	observe()
}

// first reports whether this is the first panic of the sources of what.
func (l *panicLog) first(what string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.logged[what] {
		return false
	}
	if l.logged == nil {
		l.logged = map[string]bool{}
	}
	l.logged[what] = true
	return true
}
