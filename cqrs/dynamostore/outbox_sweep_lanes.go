package dynamostore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// sweepLanes bounds how many messages a sweep relays at once, across its
// shards and destinations.
const sweepLanes = 16

// laneQueue is how many of a shard's messages for one destination the
// sweep reads ahead of their relay.
const laneQueue = sweepPage

// laneWait is how long a shard's read waits for room in the queue of a
// destination whose relay lags behind it; then the shard's later messages
// for that destination wait for a later sweep, and the read goes on for
// the others.
const laneWait = time.Second

// sweepRound is one Sweep: its shards are read at once, each relaying its
// messages through a lane per destination, sweepLanes messages at most at
// once and one per destination (destinationTurn).
type sweepRound struct {
	o       *Outbox
	ctx     context.Context
	slots   chan struct{}
	relayed atomic.Int64
	mu      sync.Mutex
	turns   map[string]*destinationTurn
}

// shardSweep is the sweep of one shard.
type shardSweep struct {
	r     *sweepRound
	lanes map[string]*lane // used by the shard's read only
	wg    sync.WaitGroup
	// stopped is set at a failure to claim: the shard's sweep ends.
	stopped atomic.Bool
	mu      sync.Mutex
	failed  []error
}

// lane relays a shard's messages for one destination, in the order the
// shard's read hands them over. Once held (a failure), it drops the rest;
// once deferred (it lagged), the read hands it no more.
type lane struct {
	items    chan outboxItem
	held     atomic.Bool
	deferred bool // used by the shard's read only
}

// sweepShard relays the messages of shard written before cutoff and
// returns its failures, joined: the messages held back by a failure and
// skipped, a failure to claim, to read, and ctx's end.
func (r *sweepRound) sweepShard(shard uint32, cutoff string) error {
	s := &shardSweep{r: r, lanes: map[string]*lane{}}
	key := partition(shardKey(r.o.cfg.Name, shard)).
		And(expression.KeyLessThan(expression.Key(attrSK), expression.Value(cutoff)))
	err := r.o.query(r.ctx, key, expression.ConditionBuilder{}, sweepPage, s.dispatch)
	for _, l := range s.lanes {
		close(l.items)
	}
	s.wg.Wait()
	if err == nil && !s.stopped.Load() {
		err = r.ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(append(s.failed, err)...)
}

// dispatch hands a page's messages to their destinations' lanes, in order,
// and moves a dead letter an earlier version kept among them (moveLegacy).
// It reports whether to read on: not after a failure to claim.
func (s *shardSweep) dispatch(items []outboxItem) (bool, error) {
	for _, it := range items {
		if s.stopped.Load() {
			return false, nil
		}
		if it.Failure != "" {
			s.r.o.moveLegacy(s.r.ctx, it)
			continue
		}
		s.push(it)
	}
	return !s.stopped.Load(), nil
}

// push queues it on its destination's lane, starting the lane first. A
// held lane drops it; one whose queue stays full for laneWait is deferred:
// the shard's later messages for its destination wait for a later sweep,
// behind the ones queued, which go out.
func (s *shardSweep) push(it outboxItem) {
	l := s.lanes[it.Destination]
	if l == nil {
		l = s.startLane()
		s.lanes[it.Destination] = l
	}
	if l.held.Load() || l.deferred {
		return
	}
	select {
	case l.items <- it:
		return
	default:
	}
	timer := time.NewTimer(laneWait)
	defer timer.Stop()
	select {
	case l.items <- it:
	case <-timer.C:
		l.deferred = true
	case <-s.r.ctx.Done():
		l.deferred = true
	}
}

// startLane starts a lane, which relays what it is handed until closed.
func (s *shardSweep) startLane() *lane {
	l := &lane{items: make(chan outboxItem, laneQueue)}
	s.wg.Go(func() {
		for it := range l.items {
			s.relay(l, it)
		}
	})
	return l
}

// relay relays it (relayOne) in its destination's turn and one of the
// round's slots, unless its lane is held, its destination failed in the
// round or the shard's sweep stopped, and records the outcome: a message
// another instance holds, or whose publish failed transiently, holds its
// lane (a failure, its destination in the round); a message DynamoDB
// refuses for good to lease or to mark failed (isRefusedItem) is logged,
// counted (SkippedMessages) and skipped, the messages behind it going out;
// a failure to claim stops the shard.
func (s *shardSweep) relay(l *lane, it outboxItem) {
	if l.held.Load() || s.stopped.Load() {
		return
	}
	r := s.r
	d := r.turnOf(it.Destination)
	if !s.take(d.turn) {
		return
	}
	defer func() { <-d.turn }()
	if d.failed.Load() {
		l.held.Store(true) // the shard's later messages for it wait too
		return
	}
	if !s.take(r.slots) {
		return
	}
	outcome, err := r.o.relayOne(r.ctx, it)
	<-r.slots
	switch outcome {
	case refused:
		r.o.skip(it, err)
		s.fail(skippedError(it, err))
	case heldBack:
		l.held.Store(true)
		if err != nil {
			d.failed.Store(true)
		}
		s.fail(err)
	case stalled:
		s.stop(err)
	case relayed:
		r.relayed.Add(1)
	}
}

// fail records err, if any, among the shard's failures.
func (s *shardSweep) fail(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = append(s.failed, err)
}

// stop ends the shard's sweep at err, a failure to claim.
func (s *shardSweep) stop(err error) {
	if !s.stopped.Swap(true) {
		s.fail(err)
	}
}
