package cqrs

import (
	"context"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// CommandBus sends commands: it assigns each command the next sequence
// number of its entity, appends it to the CommandStore and publishes it to
// the command's destination.
type CommandBus struct {
	svc *Service
}

// Send sends cmd, a registered command (value or pointer), for the entity.
// It returns the envelope the command travelled with. A command sent from a
// handler names the handled message as its cause and shares its correlation
// id (an id sourceflow.ValidCorrelationID refuses is dropped instead: the
// command then starts a flow of its own). Its message id derives from the handled message's id, the handler, the
// order of the handler's sends and the command itself (type, entity and
// encoded payload): a redelivered message whose handler sends the same
// commands in the same order sends the same ids, which the CommandStore
// (same id: the stored command and its sequence are reused) and consumers'
// idempotency drop; a handler that decides differently on a re-run sends a
// new id, so its new command is stored and published, not mistaken for the
// old one. A command goes out when Send returns, before the handler's own
// changes are saved: a command sent by a run whose save then conflicted has
// already been published, and its re-run's commands follow it (package
// outbox, whose command store joins the handler's SQL transaction, holds
// them back until the save; the DynamoDB outbox does not). If publishing
// fails the command stays stored and the error is returned. Outside a
// handler the id is fresh, unless ctx carries an idempotency key
// (ContextWithIdempotencyKey): then a send made again after an error finds
// the stored command and publishes it again instead of storing a second one.
// Send reports whether the command was stored and published, never how its
// handling went: a handler's error (or panic) is not returned to the
// sender, even by a synchronous ChannelTransport, whose Send returns once
// the handling is over; the transport redelivers the command and at last
// dead-letters it (ChannelTransport.DeadLetters in process), a permanent
// failure at once.
//
// A ctx that has already ended refuses the send before the command is
// stored or given a sequence, with an error wrapping ctx.Err(); so does a
// ctx that ends while the send waits for a Start in progress. On the
// synchronous ChannelTransport, a ctx that ends while Send waits for the
// handling makes Send return an error wrapping ctx.Err() too, saying the
// command was handed over: it is stored, and its handling goes on. A ctx
// that ends after the command was stored and before it was published (on a
// transport whose publish honours its message's context, as sqlbus's does)
// fails the publish like any other failure: the command stays stored, so
// Service.Replay re-runs it although no handler had it; send it again with
// its idempotency key to publish it.
func (b *CommandBus) Send(ctx context.Context, entityID string, cmd any) (Envelope, error) {
	s := b.svc
	info, payload, err := s.encodeCommand(entityID, cmd)
	if err != nil {
		return Envelope{}, err
	}
	id, derived := s.newMessageID(ctx, info.name, entityID, payload)
	env := Envelope{Type: info.name, MessageID: id, EntityID: entityID, OccurredAt: s.cfg.Clock.Now(), PayloadVersion: info.shape.version}
	env.CorrelationID, env.CausationID, env.Replay = lineage(ctx, env.MessageID)
	env.Hops = hopsOf(ctx)
	if env.Replay {
		// A command sent while replaying is in the command store already and
		// is replayed in its own turn; delivering it now would apply it twice.
		if sc := replayScopeOf(ctx); sc != nil {
			sc.skipped.Add(1)
		}
		return env, nil
	}
	if err := s.acceptsSend(ctx); err != nil {
		if err == ErrNotStarted {
			return Envelope{}, err
		}
		return Envelope{}, fmt.Errorf("cqrs: send %q for %s: %w", info.name, quotedID(entityID), err)
	}
	if err := s.checkHops(env); err != nil {
		return Envelope{}, err
	}
	var stored StoredCommand
	send := func() error {
		return s.withinOutboxTx(ctx, s.cfg.CommandStore, func(ctx context.Context) error {
			var err error
			stored, err = s.record(ctx, derived, StoredCommand{Envelope: env, Destination: info.destination, Payload: payload})
			if err != nil {
				return fmt.Errorf("cqrs: store %q for %s: %w", info.name, quotedID(entityID), err)
			}
			return s.publish(ctx, stored.Destination, stored.Envelope, stored.Payload)
		})
	}
	err = send()
	if derived && errors.Is(err, ErrDuplicateCommand) && !joins(ctx, s.cfg.CommandStore) && !inOutboxTx(ctx) {
		// The outbox's transaction, begun for this send alone, met the
		// command another instance stored meanwhile; it rolled back, so a
		// new one finds that command and keeps its sequence.
		err = send()
	}
	return stored.Envelope, err
}

// encodeCommand encodes cmd, a registered command, for the entity (see
// encodeMessage); an empty entity id is also the sender's mistake.
func (s *Service) encodeCommand(entityID string, cmd any) (*typeInfo, []byte, error) {
	return s.encodeMessage(cmd, sourceflow.KindCommand, func(info *typeInfo) error {
		if entityID == "" {
			return fmt.Errorf("%w: sending %q", ErrEmptyEntityID, info.name)
		}
		return nil
	})
}

// record assigns cmd the entity's next sequence number and stores it, in one
// transaction when the store is a sourceflow.Transactor. A command sent again
// by a redelivered handler, or again with its idempotency key (derived, so
// with the id it had the first time)
// keeps the sequence it was stored with, also when another instance stored
// it concurrently: no sequence number is spent twice. When the store joins a
// transaction ctx carries, ErrDuplicateCommand is returned rather than
// retried: the sequence the failed attempt reserved would stay reserved in
// that transaction, leaving a gap, while failing rolls the handling back
// whole and its redelivery finds the stored command. A store that is no
// Transactor (MemoryCommandStore) leaves no gap only among sends of this
// service: instances sharing it may each reserve a number for one command.
func (s *Service) record(ctx context.Context, derived bool, cmd StoredCommand) (StoredCommand, error) {
	store := s.cfg.CommandStore
	env := cmd.Envelope
	attempt := func(ctx context.Context) error {
		if derived {
			found, err := store.Find(ctx, env.EntityID, env.MessageID)
			if err == nil {
				cmd = found
				return nil
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		seq, err := store.NextSequence(ctx, env.EntityID)
		if err != nil {
			return fmt.Errorf("next sequence: %w", err)
		}
		cmd.Envelope.Sequence = seq
		return store.Append(ctx, cmd)
	}
	run := attempt
	if tx, ok := store.(sourceflow.Transactor); ok {
		run = func(ctx context.Context) error { return tx.WithinTx(ctx, attempt) }
	} else if derived {
		// Without a transaction to undo a reservation, this service's sends
		// of one id look it up in turn: the later one finds the command
		// rather than reserving a number it would not use, a gap.
		defer s.locks.lock(recordLockKey(env.EntityID, env.MessageID))()
	}
	err := run(ctx)
	if derived && errors.Is(err, ErrDuplicateCommand) && !joins(ctx, store) {
		err = run(ctx) // another instance stored it first: take its sequence
	}
	return cmd, err
}

// publish sends one message to destination through the decorated publisher.
func (s *Service) publish(ctx context.Context, destination string, env Envelope, payload []byte) error {
	if err := s.accepts(ctx); err != nil {
		if err == ErrNotStarted {
			return err
		}
		return fmt.Errorf("cqrs: publish %s %s to %q: %w", env.Type, env.MessageID, destination, err)
	}
	s.sendMu.Lock()
	pub := s.pubs[destination]
	s.sendMu.Unlock()
	if pub == nil {
		return ErrNotStarted
	}
	if waitsForConsumer(s.cfg.Transport, destination) && s.inTransaction(ctx) {
		return sourceflow.Permanent(fmt.Errorf("cqrs: publish %s %s to %q: %w", env.Type, env.MessageID, destination, ErrPublishInTransaction))
	}
	kind, _ := s.types.kindOf(destination)
	msg := message.NewMessage(env.MessageID, payload)
	env.WriteTo(msg)
	msg.SetContext(sourceflow.ContextWithKind(ctx, kind))
	if err := pub.Publish(destination, msg); err != nil {
		return fmt.Errorf("cqrs: publish %s %s to %q: %w", env.Type, env.MessageID, destination, err)
	}
	return nil
}

// inTransaction reports whether ctx carries a transaction a publish must
// not wait in: one the service's stores join, or a handling transaction
// (sourceflow.InHandlingTx) they stay out of, whose idempotency record
// holds its locks until it commits (SQLite's one writer, which the
// consumer's own handling transaction waits for).
func (s *Service) inTransaction(ctx context.Context) bool {
	return sourceflow.InHandlingTx(ctx) || s.joinsTransaction(ctx)
}

// waitsForConsumer reports whether t publishes to destination on a
// synchronous ChannelTransport, whose Publish returns once the message was
// handled.
func waitsForConsumer(t Transport, destination string) bool {
	switch t := t.(type) {
	case *ChannelTransport:
		return !t.cfg.Async
	case *HybridTransport:
		return waitsForConsumer(t.transportOf(destination), destination)
	}
	return false
}

// isStarted reports whether the service runs: started and not closing.
func (s *Service) isStarted() bool {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	return s.started && !s.closing
}

// awaitStart waits for a Start in progress to end; it reports false when
// ctx ended first.
func (s *Service) awaitStart(ctx context.Context) bool {
	s.sendMu.Lock()
	starting := s.starting
	s.sendMu.Unlock()
	if starting == nil {
		return true
	}
	select {
	case <-starting:
		return true
	case <-ctx.Done():
		return false
	}
}

// acceptsSend is accepts for a command not stored yet: a ctx already ended
// is refused first, before the command is stored or given a sequence.
func (s *Service) acceptsSend(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("not sent: %w", err)
	}
	return s.accepts(ctx)
}

// accepts returns nil when a send in ctx may go out: while the service
// runs, and while it drains for a handler that is still running; otherwise
// ErrNotStarted, bare, for its callers to return as it is. A send while the
// service starts (from a handler its router runs as soon as it subscribed,
// or from outside) waits for the Start to end, and goes out if the service
// started; when ctx ends first, the error wraps ctx's.
func (s *Service) accepts(ctx context.Context) error {
	if !s.awaitStart(ctx) {
		return fmt.Errorf("waited for service %q to start: %w", s.cfg.Name, ctx.Err())
	}
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if !s.started || s.pubs == nil {
		return ErrNotStarted
	}
	if _, inHandler := EnvelopeFromContext(ctx); s.closing && !inHandler {
		return ErrNotStarted
	}
	return nil
}
