package backend

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// Stores are the stores a Backend gives every service it configures.
type Stores struct {
	Commands cqrs.CommandStore
	Entities cqrs.EntityStore
	Views    cqrs.ViewStore
}

// Outbox returns an outbox named after service in front of inner; the
// outbox's Close closes inner. The outbox is used only when the error is
// nil.
type Outbox func(ctx context.Context, service string, inner cqrs.Transport) (cqrs.Transport, error)

// Config configures a Backend.
type Config struct {
	// Package names the public package in errors ("sqlbackend").
	Package string
	// Stores are the stores Configure sets.
	Stores Stores
	// Idempotency is the store of Idempotency's middleware.
	Idempotency idempotency.Store
	// Outbox, when set, is put in front of each configured service's
	// transport.
	Outbox Outbox
	// Closers close what was opened, in the order it was opened.
	Closers []func() error
	// ErrClosed is the error of Configure, Idempotency and Check after
	// Close.
	ErrClosed error
	// Check reports whether the database answers and holds the stores'
	// tables (Backend.Check). Optional.
	Check func(ctx context.Context) error
}

// Backend fills services' configurations from one set of stores and closes
// what it opened. It is safe for concurrent use.
type Backend struct {
	cfg     Config
	mu      sync.Mutex
	closers []func() error
	closed  bool
}

// New returns a Backend; cfg.Closers are closed by its Close.
func New(cfg Config) *Backend {
	return &Backend{cfg: cfg, closers: slices.Clone(cfg.Closers)}
}

// Configure sets cfg's stores, which must be unset, and, with an Outbox,
// puts one in front of cfg.Transport, which must then be set. A closed
// Backend refuses every cfg with ErrClosed, before looking at it. A refused
// Configure leaves cfg unchanged.
func (b *Backend) Configure(ctx context.Context, cfg *cqrs.ServiceConfig) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.cfg.ErrClosed
	}
	if cfg == nil {
		return fmt.Errorf("%s: Configure: nil ServiceConfig", b.cfg.Package)
	}
	if b.cfg.Outbox != nil && cfg.Transport == nil {
		return fmt.Errorf("%s: Configure: ServiceConfig.Transport is required with Config.Outbox: it is the transport the outbox passes messages on to", b.cfg.Package)
	}
	if set := setStores(cfg); len(set) > 0 {
		return fmt.Errorf("%s: Configure: the stores are set already (%s): Configure sets a service's stores, once", b.cfg.Package, set)
	}
	if b.cfg.Outbox != nil {
		box, err := b.cfg.Outbox(ctx, cfg.Name, cfg.Transport)
		if err != nil {
			return fmt.Errorf("%s: %w", b.cfg.Package, err)
		}
		b.closers = append(b.closers, box.Close)
		cfg.Transport = box
	}
	s := b.cfg.Stores
	cfg.CommandStore, cfg.EntityStore, cfg.ViewStore = s.Commands, s.Entities, s.Views
	return nil
}

// NewService configures a copy of cfg (Configure) and returns the service
// built from it. A service that fails to build leaves what Configure made
// (the outbox) to the Backend's Close.
func (b *Backend) NewService(ctx context.Context, cfg cqrs.ServiceConfig) (*cqrs.Service, error) {
	if err := b.Configure(ctx, &cfg); err != nil {
		return nil, err
	}
	svc, err := cqrs.NewService(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: NewService: %w", b.cfg.Package, err)
	}
	return svc, nil
}

// setStores names the store fields of cfg already set ("" when none):
// Configure would replace them, or put a second outbox in front of the
// first.
func setStores(cfg *cqrs.ServiceConfig) string {
	var set []string
	if cfg.CommandStore != nil {
		set = append(set, "ServiceConfig.CommandStore")
	}
	if cfg.EntityStore != nil {
		set = append(set, "ServiceConfig.EntityStore")
	}
	if cfg.ViewStore != nil {
		set = append(set, "ServiceConfig.ViewStore")
	}
	return strings.Join(set, ", ")
}

// Idempotency returns a new middleware on the idempotency store, in
// transactional mode.
func (b *Backend) Idempotency(cfg idempotency.MiddlewareConfig) (*idempotency.Middleware, error) {
	if b.isClosed() {
		return nil, b.cfg.ErrClosed
	}
	cfg.Transactional = true
	return idempotency.NewMiddleware(b.cfg.Idempotency, cfg)
}

// Close runs every closer, last added first, and returns every error; a
// second Close does nothing.
func (b *Backend) Close() error {
	b.mu.Lock()
	closers := b.closers
	b.closers, b.closed = nil, true
	b.mu.Unlock()
	var errs []error
	for _, c := range slices.Backward(closers) {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}
