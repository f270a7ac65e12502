package cqrs

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// ServiceConfig configures a Service. A field left unset takes its
// default; an interface field holding a nil pointer (a *ChannelTransport
// variable never assigned, say) is refused by Validate, not defaulted, and
// so is a nil entry of a pipeline or a hook.
type ServiceConfig struct {
	// Name names the service (required): one line of printable UTF-8 text,
	// without control or format characters nor white space at its start or
	// end (MySQL ignores trailing spaces when it compares text). Transports
	// use it for per-service resources; router handlers are named
	// "<Name>/<destination>".
	Name string
	// Version is the version of the service's code, one line of printable
	// text of at most 128 bytes (optional). Every dead letter a handler's
	// failure causes carries it (sourceflow.MetaFailedVersion), beside the
	// failing process's host (sourceflow.MetaFailedHost, os.Hostname, read
	// by NewService), so that after a deploy the failures of the old
	// version and of the new one can be told apart. Default: the main
	// module's version the program was built as (runtime/debug's
	// ReadBuildInfo: a tag such as "v1.4.2", or a pseudo-version, when
	// built from a module or a stamped checkout), none when that is
	// "(devel)".
	Version string
	// Transport carries messages. Default: a new ChannelTransport.
	Transport Transport
	// Listen lists the destinations this service consumes. A type routed to
	// a destination not listed here is sent to whoever listens to it and is
	// never handled by this service.
	Listen []string
	// CommandStore keeps sent commands, for Replay and for finding a
	// command sent again by its idempotency key. Default:
	// NewMemoryCommandStore(), which keeps the last DefaultMemoryCommands
	// (1024) commands of all entities and evicts the oldest: Replay then
	// refuses an entity that lost some (ErrCommandsEvicted). A program that
	// replays uses a database store (cqrs/sqlstore, cqrs/dynamostore).
	// The memory stores keep state in the process alone: Start warns of
	// them behind a transport between processes (see Start), a saga or
	// view handler on a MemoryStore warns at its first handling in the
	// transaction of a transactional idempotency middleware, and
	// sqlbackend's and dynamobackend's Backend.NewService set all three.
	CommandStore CommandStore
	// EntityStore keeps saga state. Default: NewMemoryStore().
	EntityStore EntityStore
	// ViewStore keeps view models. Default: NewMemoryStore().
	ViewStore ViewStore
	// Codec encodes payloads. Default: JSONCodec.
	Codec Codec
	// Logger logs the service's router (a handler's error, its start and
	// stop) and, when set, the default Transport's dead letters. Default:
	// slog.Default() as it is when each line is logged (a slog.SetDefault
	// after NewService is followed), with Watermill's Info lowered to
	// slog's Debug, so at slog's default level only failures reach the
	// program's log: a handler's error at every delivery, then the dead
	// letter; set watermill.NopLogger{} to silence it. Its warnings (state
	// kept in memory behind a transport between processes, a store outside
	// the handling transaction) then go to slog.Default() at slog's Warn.
	Logger watermill.LoggerAdapter
	// HandlerMiddleware is the consume-side pipeline applied to every
	// listened destination, outermost first (middleware.Stack's
	// HandlerMiddlewares). It runs inside the mark that records a
	// sourceflow.Permanent failure on the nacked message, so transports
	// dead-letter such a message at once. SourceFlow's pipeline (recover,
	// tracing, metrics, idempotency, decryption, retry) belongs here, not in
	// a router's middleware.
	HandlerMiddleware []message.HandlerMiddleware
	// PublisherDecorators is the produce-side pipeline applied to every
	// publisher the service sends its commands and events through, in
	// Watermill's router order: the first decorator is outermost and sees a
	// message first (middleware.Stack's PublisherDecorators). SourceFlow's
	// produce side (correlation, tracing, encryption, metrics, circuit
	// breaker) belongs here: a router's publisher decorators never reach
	// the service's sends.
	PublisherDecorators []message.PublisherDecorator
	// Router, when set, is the Watermill router the service adds its
	// handlers to instead of running one of its own: the caller configures
	// it the Watermill way (RouterConfig, plugins, router-level middleware),
	// runs it and closes it, and may share it between services.
	//
	// Router-level middleware is for cross-cutting Watermill concerns
	// (logging, throttling); the SourceFlow pipeline goes in
	// HandlerMiddleware and PublisherDecorators. Router-level middleware
	// added before Start wraps the service's handlers from outside the mark
	// of permanent failures: a sourceflow.Permanent error it returns is
	// redelivered like an ordinary failure instead of being dead-lettered at
	// once. Added after Start and before the router runs, it runs inside the
	// service's pipeline; a router already running does not apply it to the
	// service's handlers. The router's publisher decorators wrap only the
	// publisher of messages a handler returns, which the service does not
	// use, so they never apply to its sends.
	//
	// Start creates every subscriber, then adds the service's handlers and,
	// when the router already runs, starts them; a Start that fails before
	// adding them closes the subscribers, and one that fails after is
	// retried without adding them again. Watermill cannot remove a handler:
	// the handlers of a Start that failed in a running router stay there,
	// and the router's next RunHandlers (another service's Start) runs them
	// again, so retry that service's Start, or run a new router, rather
	// than give up on it. Close stops only the service's
	// handlers, waiting up to CloseTimeout, and closes their subscribers;
	// a handler of a service closed before the router ran it ends at once
	// when the router runs it, handling nothing. Close may run while the
	// router starts: it stops a handler the router started once the router
	// has finished starting it.
	// Service names must be unique per router for the router's whole life:
	// Watermill keeps handler middleware by handler name
	// ("<Name>/<destination>") after the handler stopped, so a later service
	// of the same name would run it too.
	//
	// The router stays open until its owner closes it (Router.Close),
	// however many services start and close on it: Watermill closes a
	// router once every handler it ran stopped, so the first service that
	// starts handlers on the router adds one more,
	// "sourceflow-cqrs-router-keeper", which receives nothing and ends when
	// the router closes (or, added before the router ran, when Run's
	// context ends, as the handlers Run starts do). Without it the close of
	// the router's last service would close the router, and a Start adding
	// its handlers at that moment would panic in Watermill's goroutine.
	// So a router whose own handlers all stopped no longer closes by
	// itself once a service started there: close it. A service whose
	// router closed first still closes without error. Start services on
	// the router before closing it, not as it closes.
	//
	// Services sharing a router may start at the same time: each Start adds
	// its handlers with their middleware and runs them before another
	// service's Start adds or runs any. The caller's own Run or RunHandlers
	// may run while a service starts: a handler of the service it starts
	// subscribes, and handles, only once its middleware is added. Default:
	// a router of the service's own, started by Start and closed by Close.
	Router *message.Router
	// Hooks are the four SourceFlow hooks.
	Hooks Hooks
	// CloseTimeout bounds how long Close waits for in-flight handlers
	// before it stops the router; closing the subscribers then waits up to
	// the transport's own CloseTimeout (ChannelConfig, PubSubConfig,
	// sqlbus.Config), so a Close takes up to the larger of the two, and its
	// error, when handlers outlast this one, names the transport's when
	// longer (a HybridTransport's longest; a transport wrapped by another
	// package's, as outbox.Transport, is not named). Default: 30s.
	CloseTimeout time.Duration
	// NewID returns a fresh message id. Default: watermill.NewUUID. An id
	// must be UTF-8 text without NUL, not ending in a space (the SQL stores
	// refuse it), and at most 36 characters on sqlbus.
	NewID func() string
	// Clock gives the time stamped on new messages. Default:
	// sourceflow.SystemClock().
	Clock sourceflow.Clock
	// MaxHops is the most hops a message may travel (Envelope.Hops): a
	// handler's send or raise of a message past it fails with ErrHopLimit,
	// permanently, so a causation loop (a saga's event whose reaction sends
	// the command that raises it again) ends with its message dead-lettered
	// rather than running for ever. That holds on the synchronous
	// ChannelTransport (the default) too: the send that closes the loop is
	// handed over rather than waited for (see ChannelConfig.Async), so Send
	// returns after the first cycle and the loop goes on behind it, one
	// cycle at a time, until the limit. Default: DefaultMaxHops.
	MaxHops int
}

// DefaultMaxHops is ServiceConfig.MaxHops's default: deeper than any flow
// a design means, short enough to end a loop within a second in process.
const DefaultMaxHops = 64

func (c *ServiceConfig) setDefaults() {
	if c.Version == "" {
		c.Version = buildVersion()
	}
	if c.Transport == nil {
		c.Transport, _ = NewChannelTransport(ChannelConfig{Logger: c.Logger}) // the zero config is valid
	}
	if c.CommandStore == nil {
		c.CommandStore = NewMemoryCommandStore()
	}
	if c.EntityStore == nil {
		c.EntityStore = NewMemoryStore()
	}
	if c.ViewStore == nil {
		c.ViewStore = NewMemoryStore()
	}
	if c.Codec == nil {
		c.Codec = JSONCodec{}
	}
	if c.Logger == nil {
		c.Logger = defaultLogger()
	}
	c.CloseTimeout = cmp.Or(c.CloseTimeout, 30*time.Second)
	c.MaxHops = cmp.Or(c.MaxHops, DefaultMaxHops)
	if c.NewID == nil {
		c.NewID = watermill.NewUUID
	}
	if c.Clock == nil {
		c.Clock = sourceflow.SystemClock()
	}
}

// Validate reports every configuration problem at once.
func (c ServiceConfig) Validate() error {
	errs := []error{
		fieldcheck.Required("cqrs: ServiceConfig.Name", c.Name != ""),
		fieldcheck.NotNegative("cqrs: ServiceConfig.CloseTimeout", c.CloseTimeout),
		fieldcheck.NotNegative("cqrs: ServiceConfig.MaxHops", c.MaxHops),
		checkVersion(c.Version),
	}
	if err := fieldcheck.ServiceName(c.Name); err != nil {
		errs = append(errs, fmt.Errorf("cqrs: ServiceConfig.Name %w", err))
	}
	errs = append(append(errs, c.nilFields()...), c.nilEntries()...)
	seen := map[string]bool{}
	for i, d := range c.Listen {
		switch {
		case d == "":
			errs = append(errs, fmt.Errorf("cqrs: ServiceConfig.Listen[%d] is empty", i))
		case seen[d]:
			errs = append(errs, fmt.Errorf("cqrs: ServiceConfig.Listen lists %q twice", d))
		}
		seen[d] = true
	}
	return errors.Join(errs...)
}
