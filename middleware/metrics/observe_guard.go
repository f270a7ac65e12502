package metrics

import (
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// panicLog logs when a kind of source the observable instruments read
// starts to panic, and when it answers again, so that a source that
// panics at every collection does not log its stack at every collection,
// and a source that panics again after it answered is logged again.
type panicLog struct {
	logger watermill.LoggerAdapter
	mu     sync.Mutex
	failed map[string]int // collections failed in a row, by kind
}

// guard runs observe, the observation of one kind of source (what names
// it). A panic of a source (a bug in it) fails that observation only: its
// instruments report nothing in this collection, and the others are
// reported. The SDK does not recover a callback's panic, so it would end
// the process from the goroutine that collects for the exporter. Nor does
// the failure become the callback's error: a periodic reader exports
// nothing at all from a collection that returned one. The first panic of a
// run of them is logged with its stack, the value described as
// sourceflow.PanicText does; the first observation that succeeds after it
// logs how many collections failed.
func (l *panicLog) guard(what string, observe func()) {
	defer func() {
		v := recover()
		if v == nil {
			l.answered(what)
			return
		}
		if l.count(what) > 1 {
			return
		}
		l.logger.Error("Metric source panicked; its instruments report nothing while it panics, "+
			"and its panics are not logged again until it answers",
			fmt.Errorf("the %s source panicked: %s", what, sourceflow.PanicText(v)),
			watermill.LogFields{"stack": string(debug.Stack())})
	}()
	observe()
}

// count counts a failed collection of the sources of what, and returns
// how many failed in a row.
func (l *panicLog) count(what string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed == nil {
		l.failed = map[string]int{}
	}
	l.failed[what]++
	return l.failed[what]
}

// answered logs, when the sources of what failed the collections before,
// that they answer again, and how many collections failed.
func (l *panicLog) answered(what string) {
	l.mu.Lock()
	n := l.failed[what]
	delete(l.failed, what)
	l.mu.Unlock()
	if n > 0 {
		l.logger.Info("Metric source answers again after panicking", watermill.LogFields{
			"source": what, "failed_collections": n})
	}
}
