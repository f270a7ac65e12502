package cqrs

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// StoreOutageWait bounds how long the in-process redelivery of
// PubSubTransport and ChannelTransport keeps redelivering a message whose
// deliveries fail because the service's own store is unavailable
// (sourceflow.ErrStoreUnavailable: its database refuses connections or
// does not answer) without counting them against MaxDeliveries: a
// database failover (60-120s) or restart is waited out, and the message is
// handled once the database is back. Past it, from the message's first
// such failure, its failures count again, so an outage that outlasts it
// dead-letters the message after its remaining deliveries.
const StoreOutageWait = 10 * time.Minute

// storeOutageLogEvery is the least time between two lines logging that
// the store is unavailable.
const storeOutageLogEvery = time.Minute

// errStoreOutage is the error of the line that logs a store outage, the
// message's own error going in the line's fields.
var errStoreOutage = errors.New("the service's state store is unavailable (its database refuses connections or does not answer)")

// storeOutageLog logs the deliveries of a transport that found the
// service's store unavailable, as internal/repeatlog bounds a condition's
// lines (which cqrs may not import): the first at once, then at most one a
// minute with the number of failures since, and the end once. Both lines
// stay at most one a minute when an outage flaps (a pool under load: some
// handlings find the store unavailable while messages that waited are
// acked): an outage that starts within a minute of the last line is
// counted, not logged, until a minute passed.
type storeOutageLog struct {
	logger watermill.LoggerAdapter

	mu        sync.Mutex
	since     time.Time // the outage's first failure; zero: none
	loggedAt  time.Time // the last Error line; zero: none
	clearedAt time.Time // the last "cleared" line; zero: none
	unlogged  int
}

// newStoreOutageLog returns the log of the store outages a transport's
// deliveries meet.
func newStoreOutageLog(l watermill.LoggerAdapter) *storeOutageLog {
	return &storeOutageLog{logger: l}
}

// failed counts a failure that found the store unavailable, logging it
// with fields when a minute passed since the line before.
func (l *storeOutageLog) failed(fields watermill.LogFields) {
	now := time.Now()
	l.mu.Lock()
	l.unlogged++
	if l.since.IsZero() {
		l.since = now
	}
	if !l.loggedAt.IsZero() && now.Sub(l.loggedAt) < storeOutageLogEvery {
		l.mu.Unlock()
		return
	}
	fields = fields.Add(watermill.LogFields{"failed_deliveries": l.unlogged, "unavailable_for": now.Sub(l.since).String(),
		"repeats_logged_every": storeOutageLogEvery.String()})
	l.loggedAt, l.unlogged = now, 0
	l.mu.Unlock()
	l.logger.Error("State store unavailable: messages are redelivered without using up their deliveries", errStoreOutage, fields)
}

// cleared logs, once, that the outage the failures logged ended: at most
// once a minute, but always after an Error line, so that the log's last
// word on an outage it told of is its end.
func (l *storeOutageLog) cleared() {
	now := time.Now()
	l.mu.Lock()
	since := l.since
	log := !since.IsZero() && (l.clearedAt.IsZero() || l.loggedAt.After(l.clearedAt) || now.Sub(l.clearedAt) >= storeOutageLogEvery)
	l.since, l.unlogged = time.Time{}, 0
	if log {
		l.clearedAt = now
	}
	l.mu.Unlock()
	if log {
		l.logger.Info("cleared: State store unavailable", watermill.LogFields{"unavailable_for": now.Sub(since).String()})
	}
}

// storeOutage follows the failures of one message's deliveries that found
// the service's store unavailable.
type storeOutage struct {
	since time.Time // the first such failure; zero for none
	waits int       // the pauses taken after them
}

// waiting reports whether a failure at now that found the store
// unavailable is not counted: within StoreOutageWait of the message's first
// such failure, or before it.
func (o *storeOutage) waiting(now time.Time) bool {
	return o.since.IsZero() || now.Sub(o.since) < StoreOutageWait
}

// uncounted records m's failure at now that found the store unavailable
// and reports whether it is not counted: as m says when it is the last
// delivery (sourceflow.MetaStoreFailureUncounted, which markDelivery set
// as waiting reported when m was handed out, and which the tracing
// middleware read), else as waiting reports.
func (o *storeOutage) uncounted(m *message.Message, now time.Time) bool {
	if o.since.IsZero() {
		o.since = now
	}
	if m.Metadata.Get(sourceflow.MetaLastDelivery) != "" {
		return m.Metadata.Get(sourceflow.MetaStoreFailureUncounted) != ""
	}
	return o.waiting(now)
}

// outage handles m, the copy of orig nacked on delivery attempt, when its
// handler found the service's store unavailable
// (sourceflow.MetaStoreUnavailable, and no permanent failure) within
// StoreOutageWait of the message's first such failure (on the last
// delivery: as it said when handed out, see uncounted), and the
// subscription is not draining: it logs the outage (at most once a
// minute) and pauses, and the failure does not count. uncounted is false
// for any other failure, which nacked settles. again is false when the
// pause was cut short: the delivery context ended, or the subscription
// drains, and orig was then settled as drained.
func (r redelivery) outage(ctx context.Context, draining <-chan struct{}, topic string, orig, m *message.Message, attempt int, o *storeOutage) (uncounted, again bool) {
	if m.Metadata.Get(sourceflow.MetaStoreUnavailable) == "" || m.Metadata.Get(sourceflow.MetaFailure) != "" || isClosed(draining) {
		return false, false
	}
	now := time.Now()
	if !o.uncounted(m, now) {
		return false, false
	}
	o.waits++
	if r.outageLog != nil {
		r.outageLog.failed(deadLetterFields(topic, m, attempt).Add(watermill.LogFields{
			"last_error": m.Metadata.Get(sourceflow.MetaLastError), "waiting_for": now.Sub(o.since).String(),
			"counts_again_after": StoreOutageWait.String()}))
	}
	if !pause(ctx, draining, r.outagePause(m, o.waits)) {
		if isClosed(draining) {
			r.drained(ctx, draining, topic, orig, m, attempt)
		}
		return true, false
	}
	return true, true
}

// outagePause is the wait after the failure number n (1-based) of a
// message that found the store unavailable: the delay its handler hinted,
// capped as pauseAfter caps it, or else the transport's RedeliveryDelay
// doubled for each failure before, at most 10s, with or without the
// transport's backoff, so an outage is not polled at the pace of
// ChannelTransport's 10ms.
func (r redelivery) outagePause(m *message.Message, n int) time.Duration {
	if d, ok := sourceflow.RetryAfterHint(m.Metadata); ok {
		return min(d, cmp.Or(r.maxHinted, maxHintedPause))
	}
	return redelivery{delay: r.delay, backoff: true}.pause(n)
}

// outageOver tells the outage log, when the delivery that was acked had
// waited out an outage (o), that the outage cleared.
func (r redelivery) outageOver(o *storeOutage) {
	if o.waits > 0 && r.outageLog != nil {
		r.outageLog.cleared()
	}
}
