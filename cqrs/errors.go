package cqrs

import (
	"errors"

	"github.com/sourceflow-go/sourceflow"
)

// Wiring errors: returned while a service is assembled, before it runs.
var (
	// ErrDuplicateType is returned when a logical type name or a Go type is
	// registered twice.
	ErrDuplicateType = errors.New("cqrs: type registered twice")
	// ErrNotRegistered is returned when a Go type or a logical name has no
	// registration.
	ErrNotRegistered = errors.New("cqrs: type not registered")
	// ErrInvalidRegistration is returned for an empty name or destination,
	// a pointer type, a destination that would carry both commands and
	// events, and a type used as the other kind (an event given to Handle or
	// CommandBus.Send, a command given to Project, React or EventQueue.Raise).
	ErrInvalidRegistration = errors.New("cqrs: invalid registration")
	// ErrDuplicateHandler is returned when a command type gets a second saga
	// handler, a handler name is used twice, or two sagas (two views) of a
	// service with distinct state (model) types register handlers under one
	// name.
	ErrDuplicateHandler = errors.New("cqrs: duplicate handler")
	// ErrNotListened is returned when a handler is registered for a type whose
	// destination the service does not listen to.
	ErrNotListened = errors.New("cqrs: destination not listened")
	// ErrNoHandlers is returned when a listened destination has no handler
	// for any of its types.
	ErrNoHandlers = errors.New("cqrs: listened destination has no handler")
	// ErrStarted is returned when the service is changed after Start, and
	// by Start on a service that was closed (a closed service does not
	// start again, whether or not it had started).
	ErrStarted = errors.New("cqrs: service already started")
	// ErrNotStarted is returned when a message is sent before Start or once
	// Close began (from a handler: once its drain is over), and when Replay
	// runs before Start or once Close began. Its text says what to do:
	// call Start first.
	ErrNotStarted = errors.New("cqrs: service not started (call Start first), or closed")
	// ErrCapability is returned by a PubSubTransport's Bind when the
	// service's routing needs a capability the Pub/Sub does not declare.
	ErrCapability = errors.New("cqrs: transport lacks a capability")
	// ErrNotBound is returned by a transport used before Bind, and by a
	// HybridTransport for a destination no Bind named whose transport
	// depends on its kind (see HybridConfig). The outboxes hold a message
	// whose destination gets it (no publisher) for the grace of a rolling
	// deploy.
	ErrNotBound = errors.New("cqrs: transport is not bound")
)

// Message errors: returned for one message; other messages keep flowing.
var (
	// ErrEmptyEntityID is returned for a command without an entity id.
	ErrEmptyEntityID = errors.New("cqrs: empty entity id")
	// ErrUnknownType is returned when a consumed message's type (or
	// alias, Aliases) has no handler on its destination in this service,
	// retried until its last delivery; and by Replay for a stored command
	// of a type neither registered nor retired (RetireType). A message
	// without a type is ErrEnvelope.
	ErrUnknownType = errors.New("cqrs: unknown message type")
	// ErrDecode is returned when a payload does not decode into its type.
	ErrDecode = errors.New("cqrs: payload does not decode")
	// ErrInvalidMessage is returned when a command or an event refuses its
	// own payload: its type has a Validate() error method, which failed.
	// Send and Raise refuse to send it; received, it is a permanent failure
	// (dead-lettered at once with the reason). Validate gates new messages
	// only: Replay hands handlers what it replays (a stored command, the
	// events its handling raises) without it, so a rule added after a
	// command was stored does not stop its replay (upcasters still apply);
	// an event a replayed handler raises is still checked as it is raised.
	ErrInvalidMessage = errors.New("cqrs: invalid message")
	// ErrHopLimit is returned when a handler sends or raises a message
	// that would travel more hops than ServiceConfig.MaxHops (see
	// Envelope.Hops): most likely a causation loop, a message that causes
	// another that causes it again. The send is refused, permanently, so
	// the handled message is dead-lettered with the reason.
	ErrHopLimit = errors.New("cqrs: hop limit exceeded")
	// ErrEnvelope is returned when a message's envelope metadata is missing
	// or malformed.
	ErrEnvelope = errors.New("cqrs: malformed envelope")
	// ErrNoListener is returned when a command is published in process to a
	// destination nobody listens to. It is sourceflow.ErrNoListener, which
	// packages that do not import this one recognise: the publish circuit
	// breaker (middleware.CircuitBreaker) does not count it as a failure of
	// the destination.
	ErrNoListener = sourceflow.ErrNoListener
	// ErrSecondListener is returned when a second in-process listener
	// subscribes to a command destination: both would handle every command.
	ErrSecondListener = errors.New("cqrs: command destination already has a listener in this process")
	// ErrPublishInTransaction is returned when a message would be published
	// on a synchronous ChannelTransport inside a transaction the service's
	// stores join, or inside a handling transaction
	// (sourceflow.InHandlingTx) whatever its stores: Publish would wait for
	// the consumer, whose own transaction may need locks this one holds
	// until it commits (on SQLite, the database's one writer).
	ErrPublishInTransaction = errors.New("cqrs: a synchronous ChannelTransport cannot publish inside a handling transaction; set ChannelConfig.Async")
)

// Store errors: returned by the command, entity and view stores.
var (
	// ErrNotFound is returned by stores for a missing entity, view model or
	// command.
	ErrNotFound = errors.New("cqrs: not found")
	// ErrConflict is returned by Save when the stored document's version is
	// not the one the caller loaded: another instance saved it first. The
	// caller reloads and applies its change again.
	ErrConflict = errors.New("cqrs: version conflict")
	// ErrDuplicateCommand is returned by Append for a command whose message
	// id, or whose entity and sequence, the store already holds.
	ErrDuplicateCommand = errors.New("cqrs: duplicate command")
	// ErrCommandsEvicted is returned by a MemoryCommandStore's Load for an
	// entity whose oldest commands it evicted to stay within its bound:
	// what it still holds is not the entity's whole history, so Replay
	// fails rather than rebuild the entity from part of it.
	ErrCommandsEvicted = errors.New("cqrs: commands evicted from the memory command store")
)
