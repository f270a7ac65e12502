package cqrs

// The synchronous publishes to an ordered destination (".fifo") take their
// turns in the order they were called. gochannel publishes to one
// destination one message at a time, but a publish going on in the
// background (its sender stopped waiting, or a handler of its message
// released it) may reach gochannel after a later publish of the same
// publisher: the turn keeps it ahead. A publish holds its turn as long as it
// would hold gochannel's lock of the destination, until its messages were
// handled, so waiting for the turn waits no longer than gochannel would.

// fifoTurn is a publish's turn on an ordered destination.
type fifoTurn struct {
	prev <-chan struct{} // closed when the publish before ended; nil for none
	mine chan struct{}   // closed when this one ends
}

// takeTurn returns the turn, after every publish to dest taken before, of
// a synchronous publish to dest; nil, which waits for nothing, when dest is
// not ordered.
func (t *ChannelTransport) takeTurn(dest string) *fifoTurn {
	if !orderedDestination(dest) {
		return nil
	}
	turn := &fifoTurn{mine: make(chan struct{})}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.turns == nil {
		t.turns = map[string]chan struct{}{}
	}
	turn.prev = t.turns[dest]
	t.turns[dest] = turn.mine
	return turn
}

// wait waits until the publish before turn ended.
func (turn *fifoTurn) wait() {
	if turn != nil && turn.prev != nil {
		<-turn.prev
	}
}

// endTurn ends turn, a publish's to dest, letting the next one go.
func (t *ChannelTransport) endTurn(dest string, turn *fifoTurn) {
	if turn == nil {
		return
	}
	t.mu.Lock()
	if t.turns[dest] == turn.mine {
		delete(t.turns, dest)
	}
	t.mu.Unlock()
	close(turn.mine)
}
