package cqrs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Service is one service instance: its registered types, handlers, stores,
// a Watermill router consuming its listened destinations, and the
// CommandBus and EventQueue that send through its transport. Register types
// and handlers, then Start; a started service is safe for concurrent use.
type Service struct {
	cfg        ServiceConfig
	ownsTransp bool
	origin     failedOrigin // where its handlers' failures happen
	types      *registry
	listen     map[string]bool
	locks      keyedMutex[string]
	bus        *CommandBus
	events     *EventQueue
	closeOnce  func() error // runs shutDown once; every Close waits for it

	mu sync.Mutex
	// sendMu guards started, closing and pubs as well: they are written
	// holding both locks, so a send reads them under sendMu alone and does
	// not wait for a Start or Close, which hold mu (and may wait for the
	// handler that sends). It guards starting, cancelStart and closeCalled
	// alone.
	sendMu      sync.Mutex
	starting    chan struct{}           // closed when the Start in progress ends
	cancelStart context.CancelCauseFunc // ends the context of the Start in progress
	closeCalled bool                    // Close began: a Start beginning now ends at once
	started     bool
	bound       bool
	closing     bool
	dispatchers map[string]*dispatcher
	handlerName map[string]bool
	owners      map[ownerName]ownerClaim // the state or model type of each saga or view name
	pubs        map[string]message.Publisher
	router      *message.Router
	handlers    []*message.Handler   // in ServiceConfig.Router, stopped by Close
	subs        []message.Subscriber // of the handlers, closed (again: Close waits) by Close
	failedSubs  chan struct{}        // closed once a failed Start's subscribers closed (see closeWithin)
	stopRouter  context.CancelFunc
	runDone     chan struct{}
	runErr      *error // the router's Run, once runDone is closed
}

// NewService validates cfg and returns a service ready for registrations.
func NewService(cfg ServiceConfig) (*Service, error) {
	owns := cfg.Transport == nil
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Service{
		cfg:         cfg,
		ownsTransp:  owns,
		origin:      newFailedOrigin(cfg.Version),
		types:       newRegistry(),
		listen:      map[string]bool{},
		dispatchers: map[string]*dispatcher{},
		handlerName: map[string]bool{},
		owners:      map[ownerName]ownerClaim{},
	}
	for _, d := range cfg.Listen {
		s.listen[d] = true
	}
	s.bus = &CommandBus{svc: s}
	s.events = &EventQueue{svc: s}
	s.closeOnce = sync.OnceValue(s.shutDown)
	return s, nil
}

// Name returns the service name.
func (s *Service) Name() string { return s.cfg.Name }

// CommandBus returns the bus commands are sent through.
func (s *Service) CommandBus() *CommandBus { return s.bus }

// EventQueue returns the queue events are raised through.
func (s *Service) EventQueue() *EventQueue { return s.events }

// Binding returns the routing this service hands its transport.
func (s *Service) Binding() sourceflow.Binding {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.binding()
}

func (s *Service) binding() sourceflow.Binding {
	b := sourceflow.Binding{Service: s.cfg.Name, Routes: s.types.routes()}
	for _, dest := range s.cfg.Listen {
		kind, _ := s.types.kindOf(dest)
		l := sourceflow.Listener{Destination: dest, Kind: kind}
		if d := s.dispatchers[dest]; d != nil {
			l.Types = d.types()
		}
		b.Listeners = append(b.Listeners, l)
	}
	return b
}

// register records a type and its aliases; it fails after Start.
func (s *Service) register(name string, kind sourceflow.Kind, t reflect.Type, destination string, opts []RegisterOption) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkChangeable(); err != nil {
		return err
	}
	aliases := aliasesOf(opts)
	shape, err := shapeOf(name, aliases, opts)
	if err != nil {
		return err
	}
	return s.types.add(name, kind, t, destination, shape, aliases...)
}

// checkChangeable refuses registrations once the transport is bound: by a
// Start, or by a Start that failed later, whose retry does not bind again
// (so the checks and provisioning of Bind cover every registration).
func (s *Service) checkChangeable() error {
	switch {
	case s.started:
		return fmt.Errorf("%w: register types and handlers before Start", ErrStarted)
	case s.bound:
		return fmt.Errorf("%w: the transport is bound to the registrations of the first Start, which failed; retry Start or build a new Service", ErrStarted)
	}
	return nil
}

// addHandler binds a typed handler to its type's destination.
func (s *Service) addHandler(info *typeInfo, h boundHandler) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkChangeable(); err != nil {
		return err
	}
	if !s.listen[info.destination] {
		return fmt.Errorf("%w: %q handles %q, whose destination %q is not in ServiceConfig.Listen",
			ErrNotListened, h.name, info.name, info.destination)
	}
	if s.handlerName[h.name] {
		return fmt.Errorf("%w: handler name %q used twice", ErrDuplicateHandler, h.name)
	}
	d := s.dispatchers[info.destination]
	if d == nil {
		d = newDispatcher(s, info.destination, info.kind)
		s.dispatchers[info.destination] = d
	}
	if info.kind == sourceflow.KindCommand && len(d.handlers[info.name]) > 0 {
		return fmt.Errorf("%w: command %q already handled by %q", ErrDuplicateHandler, info.name, d.handlers[info.name][0].name)
	}
	s.handlerName[h.name] = true
	d.add(info.name, h)
	return nil
}

// checkWiring reports every listened destination that cannot work.
func (s *Service) checkWiring() error {
	var errs []error
	listened := make([]string, 0, len(s.listen))
	for d := range s.listen {
		listened = append(listened, d)
	}
	sort.Strings(listened)
	for _, dest := range listened {
		if _, ok := s.types.kindOf(dest); !ok {
			errs = append(errs, fmt.Errorf("%w: listened destination %q carries no registered type", ErrNotRegistered, dest))
			continue
		}
		if s.dispatchers[dest] == nil {
			errs = append(errs, fmt.Errorf("%w: %q", ErrNoHandlers, dest))
		}
	}
	return errors.Join(errs...)
}

// joinsTransaction reports whether one of the service's stores joins a
// transaction carried by ctx.
func (s *Service) joinsTransaction(ctx context.Context) bool {
	for _, store := range []any{s.cfg.CommandStore, s.cfg.EntityStore, s.cfg.ViewStore} {
		if joins(ctx, store) {
			return true
		}
	}
	return false
}

// joins reports whether store joins a transaction carried by ctx.
func joins(ctx context.Context, store any) bool {
	j, ok := store.(TransactionJoiner)
	return ok && j.JoinsTransaction(ctx)
}

// joiner returns the check of whether store joins a handling's transaction.
func joiner(store any) func(context.Context) bool {
	return func(ctx context.Context) bool { return joins(ctx, store) }
}
