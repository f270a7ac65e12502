package cqrs

import (
	"cmp"
	"context"
	"strconv"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/sourceflow-go/sourceflow"
)

type incomingKey struct{}

// incoming is the message a handler is running for.
type incoming struct {
	env     Envelope
	handler string
	sent    atomic.Int64
}

// withIncoming returns ctx carrying the envelope of the message being
// handled by the named handler, so that messages sent or raised from the
// handler name it as their cause and share its correlation id.
func withIncoming(ctx context.Context, env Envelope, handler string) context.Context {
	return context.WithValue(ctx, incomingKey{}, &incoming{env: env, handler: handler})
}

// EnvelopeFromContext returns the envelope of the message whose handler is
// running in ctx.
func EnvelopeFromContext(ctx context.Context) (Envelope, bool) {
	in, ok := ctx.Value(incomingKey{}).(*incoming)
	if !ok {
		return Envelope{}, false
	}
	return in.env, true
}

// causedID returns the id of the next message a handler sends or raises,
// derived from the handled message, the handler, the order of its sends and
// the sent message itself (type, entity and encoded payload). A redelivered
// message whose handler makes the same sends again derives the same ids, so
// consumers can drop the repeats; a handler that decides differently on a
// re-run (after a conflict, or on a redelivery that sees newer state) derives
// a different id, so its new message is not taken for the old one. ok is
// false outside a handler.
func causedID(ctx context.Context, typeName, entityID string, payload []byte) (id string, ok bool) {
	in, ok := ctx.Value(incomingKey{}).(*incoming)
	if !ok {
		return "", false
	}
	n := in.sent.Add(1) - 1
	return derivedID(payload, in.env.MessageID, in.handler, strconv.FormatInt(n, 10), typeName, entityID), true
}

// derivedID is the name-based UUID of parts and payload: the same inputs
// give the same id, different ones (a different payload included) a
// different id.
func derivedID(payload []byte, parts ...string) string {
	name := make([]byte, 0, 128+len(payload))
	for _, part := range parts {
		name = strconv.AppendInt(name, int64(len(part)), 10) // length-prefixed: no two part lists collide
		name = append(name, ':')
		name = append(name, part...)
	}
	name = append(name, payload...)
	return uuid.NewSHA1(uuid.NameSpaceOID, name).String()
}

// sendMark returns how many ids the running handler has derived so far.
func sendMark(ctx context.Context) int64 {
	if in, ok := ctx.Value(incomingKey{}).(*incoming); ok {
		return in.sent.Load()
	}
	return 0
}

// rewindSends sets the running handler's derived-id count back to mark, so a
// handler re-run after a conflict that makes the same sends as its first run
// derives the same ids.
func rewindSends(ctx context.Context, mark int64) {
	if in, ok := ctx.Value(incomingKey{}).(*incoming); ok {
		in.sent.Store(mark)
	}
}

// newMessageID returns causedID inside a handler, keyedID elsewhere when ctx
// carries an idempotency key, and a fresh id otherwise. derived reports
// whether the id was derived, so that the same send made again has it too.
func (s *Service) newMessageID(ctx context.Context, typeName, entityID string, payload []byte) (id string, derived bool) {
	if id, ok := causedID(ctx, typeName, entityID, payload); ok {
		return id, true
	}
	if id, ok := keyedID(ctx, typeName, entityID, payload); ok {
		return id, true
	}
	return s.cfg.NewID(), false
}

// lineage returns the correlation and causation ids for a new message sent
// in ctx; msgID is the new message's own id. Inside a handler the new
// message joins the handled one's flow: its correlation id, else its
// message id, and names the handled message's id as its cause. Each is
// taken only when sourceflow.ValidCorrelationID accepts it, so that an
// oversize or unprintable id a sender chose is not copied onto the
// messages downstream. With neither valid, every message the handling
// sends joins one flow: the id the correlation middleware put in ctx when
// there is one, else an id derived from the handled message's, the same on
// a redelivery. A message id it refuses leaves the causation id empty.
func lineage(ctx context.Context, msgID string) (correlation, causation string, replay bool) {
	if in, ok := EnvelopeFromContext(ctx); ok {
		switch {
		case sourceflow.ValidCorrelationID(in.CorrelationID):
			correlation = in.CorrelationID
		case sourceflow.ValidCorrelationID(in.MessageID):
			correlation = in.MessageID
		default:
			correlation = cmp.Or(sourceflow.CorrelationIDFromContext(ctx), derivedID(nil, "flow", in.MessageID))
		}
		if sourceflow.ValidCorrelationID(in.MessageID) {
			causation = in.MessageID
		}
		return correlation, causation, in.Replay
	}
	if id := sourceflow.CorrelationIDFromContext(ctx); id != "" {
		return id, "", false
	}
	return msgID, "", false
}
