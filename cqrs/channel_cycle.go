package cqrs

import (
	"slices"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// On the synchronous transport a publish waits for the handlers of its
// messages, and gochannel publishes to one destination one message at a
// time, holding back the next until every subscriber acked the one before.
// A handler that publishes to a destination whose delivery under way waits,
// through the publishes of its handler and the deliveries those wait on, on
// that handler would thus wait on itself for good: a causation loop of any
// length (a saga's command raising an event whose reaction sends the
// command back), however many of its messages were handed over, and two
// flows crossing at once (a's handler publishing to b while b's publishes
// to a). So the transport records the deliveries under way on each
// destination (holders) and the destinations each handler's publishes wait
// on, and a publish whose wait would come back to its own handler is
// queued and handed over without waiting (see handover), in order behind
// what was handed over there before. The handler goes on and returns, and
// the queued message is delivered once the delivery holding its
// destination was acked: a loop goes round one cycle per delivery of the
// hand-over goroutine, until ServiceConfig.MaxHops stops it. The check and
// the record of a wait are made under one lock, so of two publishes that
// would close a cycle at once the second sees the first.
//
// The record is one for every synchronous ChannelTransport of the process,
// under one lock (waitsMu), and a wait names its transport as well as its
// destination: a cycle may pass through several of them (a HybridTransport
// with commands on one and events on another, each waiting on the other's
// handlers), and a handler of one publishing on another is a handler all
// the same.

// waitsMu guards, for every ChannelTransport, holders and what each
// handling waitsOn: the wait-for record a cycle through several
// synchronous transports is found in.
var waitsMu sync.Mutex

// syncWait is a destination of one synchronous ChannelTransport, which a
// handler's publish waits on.
type syncWait struct {
	t    *ChannelTransport
	dest string
}

// holding records that the delivery of orig, taken by a subscription of
// t, holds its destination (holds true) or no longer does.
func (t *ChannelTransport) holding(orig *message.Message, holds bool) {
	h, _ := orig.Context().Value(handlingKey{}).(*handling)
	if h == nil || h.by != t || t.cfg.Async {
		return
	}
	waitsMu.Lock()
	defer waitsMu.Unlock()
	if !holds {
		delete(t.holders[h.dest], h) // the emptied map is kept: the destinations are few
		return
	}
	if t.holders == nil {
		t.holders = map[string]map[*handling]struct{}{}
	}
	if t.holders[h.dest] == nil {
		t.holders[h.dest] = map[*handling]struct{}{}
	}
	t.holders[h.dest][h] = struct{}{}
}

// publisherOf returns, on the synchronous transport, the handling whose
// handler published msgs with its context, delivered by this or another
// synchronous ChannelTransport, or nil: published from outside such a
// handler.
func (t *ChannelTransport) publisherOf(msgs []*message.Message) *handling {
	if t.cfg.Async {
		return nil
	}
	for _, m := range msgs {
		if h, _ := m.Context().Value(handlingKey{}).(*handling); h != nil && !h.by.cfg.Async {
			return h
		}
	}
	return nil
}

// waitFor records that a publish of h's handler (nil: none) waits on dest
// of t, and reports true; or reports false, recording nothing, when that
// wait would come back to h, so the publish must not wait.
func (t *ChannelTransport) waitFor(h *handling, dest string) bool {
	if h == nil {
		return true
	}
	waitsMu.Lock()
	defer waitsMu.Unlock()
	w := syncWait{t: t, dest: dest}
	if reachesLocked(w, h) {
		return false
	}
	if h.waitsOn == nil {
		h.waitsOn = h.waitsBuf[:0]
	}
	h.waitsOn = append(h.waitsOn, w)
	return true
}

// waited forgets a wait waitFor recorded: the publish returned.
func (t *ChannelTransport) waited(h *handling, dest string) {
	if h == nil {
		return
	}
	waitsMu.Lock()
	defer waitsMu.Unlock()
	if i := slices.Index(h.waitsOn, syncWait{t: t, dest: dest}); i >= 0 {
		h.waitsOn = slices.Delete(h.waitsOn, i, i+1)
	}
}

// reachesLocked reports whether a publish waiting on w would wait on h: h
// holds w, or a holder of w waits on a destination that (in turn) leads to
// h, on whichever transport. The caller holds waitsMu.
func reachesLocked(w syncWait, h *handling) bool {
	var seenBuf, todoBuf [8]syncWait
	seen, todo := append(seenBuf[:0], w), append(todoBuf[:0], w)
	for len(todo) > 0 {
		d := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for holder := range d.t.holders[d.dest] {
			if holder == h {
				return true
			}
			for _, next := range holder.waitsOn {
				if !slices.Contains(seen, next) {
					seen, todo = append(seen, next), append(todo, next)
				}
			}
		}
	}
	return false
}
