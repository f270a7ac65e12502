package dynamostore

import "sync/atomic"

// destinationTurn lets one of a destination's lanes (one per shard) relay
// at a time across a sweep, so that slow destinations take one of the
// round's sweepLanes slots each, not one per shard: the others' messages
// go on beside them. Order is kept within a shard only, so the shards'
// lanes for a destination may take turns in any order.
type destinationTurn struct {
	turn chan struct{}
	// failed is set once a relay to the destination failed in the round
	// (a transient failure, a publish given up on): its lanes in the other
	// shards leave their messages for a later sweep rather than wait, one
	// after another, for the same failure.
	failed atomic.Bool
}

// turnOf returns destination's turn in the round, making it first.
func (r *sweepRound) turnOf(destination string) *destinationTurn {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.turns[destination]
	if d == nil {
		d = &destinationTurn{turn: make(chan struct{}, 1)}
		r.turns[destination] = d
	}
	return d
}

// take waits for room in ch (a destination's turn, a slot), until the
// round's context ends: then it stops the shard and reports false.
func (s *shardSweep) take(ch chan struct{}) bool {
	select {
	case ch <- struct{}{}:
		return true
	case <-s.r.ctx.Done():
		s.stop(s.r.ctx.Err())
		return false
	}
}
