package cqrs

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// ReplayReport says what a replay did.
type ReplayReport struct {
	// Commands is the number of stored commands of the entity.
	Commands int
	// Handled counts messages (stored commands and what they caused) run
	// through local handlers.
	Handled int
	// Skipped counts messages replay did not deliver: stored commands and
	// events whose destination this service does not listen to, and
	// commands sent by handlers during the replay (they are in the command
	// store and replay in their own turn). Replay never sends anything
	// through the transport.
	Skipped int
	// Retired counts the stored commands of a type declared retired
	// (RetireType), which the replay skipped on purpose.
	Retired int
	// ViewsKept lists the view models the replay touched but did not write
	// back, as "view/id", sorted. The replay cannot have rebuilt them
	// entirely: their id is not the replayed entity's (a model per customer
	// summing many orders, say), or their view also projects an event type
	// the replay did not raise (one raised by another service, by code
	// outside the entity's handlers, or not caused by the entity's
	// commands), whose events only the stored model holds. Each keeps its
	// stored model. Nil when every touched view model was rebuilt.
	ViewsKept []string
}

// replayScope isolates one replay: saga state and view models are rebuilt
// from empty stores, and commitReplay writes back what the replay rebuilt
// entirely.
type replayScope struct {
	entityID        string
	entities, views *MemoryStore
	sagas           map[string]bool // the sagas whose state of entityID the replay rebuilds
	handled         atomic.Int64
	skipped         atomic.Int64
	retired         int // stored commands of a retired type, not run
	viewsKept       []string

	mu     sync.Mutex
	raised map[string]bool // event types raised during the replay
}

// noteRaised records that the replay raised an event of type name.
func (sc *replayScope) noteRaised(name string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.raised[name] = true
}

// hasRaised reports whether the replay raised an event of type name.
func (sc *replayScope) hasRaised(name string) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.raised[name]
}

type replayKey struct{}

func replayScopeOf(ctx context.Context) *replayScope {
	sc, _ := ctx.Value(replayKey{}).(*replayScope)
	return sc
}

func (s *Service) entityStore(ctx context.Context) EntityStore {
	if sc := replayScopeOf(ctx); sc != nil {
		return sc.entities
	}
	return s.cfg.EntityStore
}

func (s *Service) viewStore(ctx context.Context) ViewStore {
	if sc := replayScopeOf(ctx); sc != nil {
		return sc.views
	}
	return s.cfg.ViewStore
}

// Replay re-runs an entity's stored commands, in sequence order, through this
// service's local handlers with the replay flag set, rebuilding from empty
// the saga state and view models they touch. A command goes to the
// destination its type is routed to now, not the one it was stored with, so
// commands sent before a destination was renamed replay too. An entity
// whose commands the store cannot load whole (a MemoryCommandStore that
// evicted its oldest: ErrCommandsEvicted) is refused before anything runs,
// and so is one with a stored command of a type this service no longer
// registers (ErrUnknownType), since the rebuilt state would lack its
// effect: register the type again, or declare it retired (RetireType) to
// have its commands skipped on purpose.
// When every command succeeded it stores:
//
//   - the entity's saga state, replacing the stored one. It is rebuilt from
//     the commands this service stored for the entity; a command another
//     service sent for the entity is in that service's CommandStore and not
//     in the rebuilt state. No other entity's saga state is touched, since
//     commands sent during the replay are not delivered.
//   - a view model, replacing the stored one, only when the replay can have
//     rebuilt it entirely: its id is the entity id, and every event type its
//     view projects was raised by this service's handlers during this
//     replay. A service registers the event types it consumes from other
//     services as it registers those it raises, so an event type the replay
//     did not raise counts as coming from elsewhere.
//
// Every other view model the replay touched keeps its stored model and is
// listed in ReplayReport.ViewsKept. The rule is what the service can tell,
// not a proof: it goes by event type, so an event of a type the replay
// raised that reached the model from elsewhere too (raised for the entity
// by code outside its handlers, say) is not in the written model. And it
// keeps more than it must: a view of several event types is rebuilt only
// for an entity whose replay raised all of them.
//
// A handler that reads saga state (Saga.Load) reads the replayed entity's
// state in a saga that handles one of its stored commands from what the
// replay rebuilt so far, and any other state from the stores as they are
// now: another entity's, or the entity's in a saga only other services
// send commands to. A view model (View.Get) is read likewise, the replayed
// entity's from what the replay rebuilt so far, also one the replay then
// keeps (see ReplayReport.ViewsKept), which holds only what the replay
// projected: a handler deciding on a view model fed by events from
// elsewhere decides in the replay as if those events had not happened.
//
// Events and commands the replay causes reach local handlers directly;
// commands sent by handlers during the replay are not delivered, since they
// are stored and replay in their own turn. Replay never publishes anything
// through the transport, so remote destinations see nothing. Replay runs
// every stored command, also one whose publish failed (Send returned the
// error and the command stayed stored, see CommandBus.Send) and that was
// therefore never handled live; with an outbox, a command is stored only
// with its publish.
//
// The saga states and view models are stored in one transaction of the
// EntityStore when it is a sourceflow.Transactor, which a ViewStore on the
// same database joins (cqrs/sqlstore's stores of one Store; the DynamoDB
// stores of one Store, written by one TransactWriteItems): a replay that
// fails leaves them as they were. Stores that cannot share a transaction
// (memory stores, an EntityStore and a ViewStore on different databases or
// DynamoDB clients, or an EntityStore wrapped in a type that is no
// sourceflow.Transactor itself) store their documents apart, the saga
// states first, and may be left part written by a replay that fails: each
// document replaced or as it was. The error names the one that failed, and
// replaying the entity again stores them all.
//
// Replay is not isolated from live traffic: replay an entity while nothing
// is sent for it. Sent anyway, the replay and the live handlings of the
// entity wait for each other only as two handlings do: a live handling for
// a replayed handler of the entity that runs, the replay for a live
// handling's transaction when it stores (it takes no per-entity lock then;
// each save is conditional on the version it loaded, and one saved in
// between makes the replay load and store again). What the entity is left
// with depends on which committed first. A command's handling, or an
// event's projection, committed before the replay's is replaced by the
// replayed documents, so the change of a command stored after Replay loaded
// the entity's commands is lost from them, although the messages it sent
// went out. One committed after the replay's applies to the replayed
// documents: a command the replay ran is not applied to the saga again (the
// saga remembers its last 32 commands), but a view projects the events it
// raised a second time.
//
// A Replay while the service starts waits for the Start to end, as a send
// does; before Start, after a failed one, once ctx ended while it waited or
// once Close began, it returns ErrNotStarted.
func (s *Service) Replay(ctx context.Context, entityID string) (ReplayReport, error) {
	if !s.awaitStart(ctx) || !s.isStarted() {
		return ReplayReport{}, ErrNotStarted
	}
	cmds, err := s.cfg.CommandStore.Load(ctx, entityID)
	if err != nil {
		return ReplayReport{}, fmt.Errorf("cqrs: load commands of %s: %w", quotedID(entityID), err)
	}
	run, retired, err := s.replayable(entityID, cmds)
	if err != nil {
		return ReplayReport{Commands: len(cmds)}, err
	}
	sc := &replayScope{entityID: entityID, entities: NewMemoryStore(), views: NewMemoryStore(), raised: map[string]bool{},
		sagas: s.rebuiltSagas(run), retired: retired}
	rctx := context.WithValue(ctx, replayKey{}, sc)
	for _, c := range run {
		env := c.Envelope
		env.Replay = true
		if err := s.deliverReplay(rctx, s.routeOf(c), env, c.Payload); err != nil {
			return s.report(len(cmds), sc), fmt.Errorf("cqrs: replay %s %d of %s: %w", env.Type, env.Sequence, quotedID(entityID), err)
		}
	}
	if err := s.commitReplay(ctx, sc); err != nil {
		return s.report(len(cmds), sc), err
	}
	return s.report(len(cmds), sc), nil
}

// routeOf returns the destination a stored command's type is routed to now
// (replay runs only commands of registered types, see replayable; the one
// it was sent to otherwise): a command stored before its type moved to
// another destination still reaches the handler its type has.
func (s *Service) routeOf(c StoredCommand) string {
	if info, ok := s.types.ofName(c.Envelope.Type); ok {
		return info.destination
	}
	return c.Destination
}

func (s *Service) report(commands int, sc *replayScope) ReplayReport {
	return ReplayReport{Commands: commands, Handled: int(sc.handled.Load()), Skipped: int(sc.skipped.Load()),
		Retired: sc.retired, ViewsKept: sc.viewsKept}
}

// deliverReplay runs a replayed message through the local handlers of its
// destination, or skips it when the destination is not listened here. An
// event reaches it only when a handler of this service raised it during the
// replay, which the scope records.
func (s *Service) deliverReplay(ctx context.Context, destination string, env Envelope, payload []byte) error {
	sc := replayScopeOf(ctx)
	if sc == nil {
		return fmt.Errorf("cqrs: replayed message %s outside a replay", env.MessageID)
	}
	if info, ok := s.types.ofName(env.Type); ok && info.kind == sourceflow.KindEvent {
		sc.noteRaised(info.name) // an alias's event is the type's
	}
	s.mu.Lock()
	d := s.dispatchers[destination]
	s.mu.Unlock()
	if d == nil {
		sc.skipped.Add(1)
		return nil
	}
	msg := message.NewMessage(env.MessageID, payload)
	env.WriteTo(msg)
	msg.SetContext(ctx)
	if _, err := chain(d.handle, s.subscribeHooks(d))(msg); err != nil {
		return err
	}
	sc.handled.Add(1)
	return nil
}
