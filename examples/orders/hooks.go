package main

import (
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// count is a subscribe hook counting successfully handled messages by type.
func count(by map[string]*atomic.Int64) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if c := by[msg.Metadata.Get(sourceflow.MetaType)]; c != nil && err == nil {
				c.Add(1)
			}
			return out, err
		}
	}
}

// handlerCounts counts handler runs: started, finished, and cut (finished
// with an error after the message's context ended, i.e. stopped before
// its work was done). An instance prints them when it stops.
type handlerCounts struct {
	started, finished, cut atomic.Int64
}

// track is a subscribe hook that keeps handlerCounts.
func (c *handlerCounts) track(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		c.started.Add(1)
		out, err := h(msg)
		if err != nil && msg.Context().Err() != nil {
			c.cut.Add(1)
		}
		c.finished.Add(1)
		return out, err
	}
}

// slow is a subscribe hook that makes every n'th handling of messages of
// type typ wait d first (or until the message's context ends), to show how
// the transport treats handlers slower than its visibility timeout. It does
// nothing when n or d is 0.
func slow(typ string, n int, d time.Duration) message.HandlerMiddleware {
	var seen atomic.Int64
	return func(h message.HandlerFunc) message.HandlerFunc {
		if n == 0 || d == 0 {
			return h
		}
		return func(msg *message.Message) ([]*message.Message, error) {
			if msg.Metadata.Get(sourceflow.MetaType) == typ && seen.Add(1)%int64(n) == 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-msg.Context().Done():
					t.Stop()
					return nil, msg.Context().Err()
				}
			}
			return h(msg)
		}
	}
}
