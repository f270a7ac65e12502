package cqrs

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// RedriveOptions are the choices of a redrive of SQL dead letters:
// sqlbus.RedriveWith moves a destination's dead letters back into it,
// outbox.RedriveWith an outbox's back into the outbox.
type RedriveOptions struct {
	// ResetHops removes the hop count (sourceflow.MetaHops) of each
	// message moved back (for an outbox, of the message its forwarder
	// envelope holds), so that the message counts as sent by no handler
	// (hop 0): a handler of it may again send or raise up to
	// ServiceConfig.MaxHops messages in a row. Use it once the causation
	// loop that dead-lettered the messages at the hop limit is fixed;
	// should the loop still be there, it stops again at the limit.
	ResetHops bool
	// Where, when set, selects the dead letters moved: it is called with
	// each readable dead letter as its table holds it (sqlbus: the
	// message; outbox: the forwarder envelope), its reason under
	// sourceflow.MetaFailure, and when it was dead-lettered (its row's
	// created_at, in whole seconds). deadLettered is by the database's
	// clock, which wrote created_at, not by this machine's: a bound taken
	// from time.Now() must allow for the skew between them (or select by
	// the message and its reason instead). Those it does not select stay
	// where they are, in their order. Nil moves every one.
	Where func(msg *message.Message, deadLettered time.Time) bool
}
