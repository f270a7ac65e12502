package backend_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/backend"
)

var errClosed = errors.New("test: backend is closed")

// memoryConfig is a backend configuration on the in-memory stores.
func memoryConfig(t *testing.T) backend.Config {
	t.Helper()
	idem, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, idem.Close()) })
	return backend.Config{
		Package:     "test",
		Stores:      backend.Stores{Commands: cqrs.NewMemoryCommandStore(), Entities: cqrs.NewMemoryStore(), Views: cqrs.NewMemoryStore()},
		Idempotency: idem,
		ErrClosed:   errClosed,
	}
}

func TestConfigure_FillsEveryStoreField(t *testing.T) {
	cfg := memoryConfig(t)
	var svc cqrs.ServiceConfig
	require.NoError(t, backend.New(cfg).Configure(context.Background(), &svc))
	assert.Empty(t, cqrstest.UnsetStores(svc), "Configure left these ServiceConfig fields nil")
	assert.Same(t, cfg.Stores.Commands, svc.CommandStore)
	assert.Same(t, cfg.Stores.Entities, svc.EntityStore)
	assert.Same(t, cfg.Stores.Views, svc.ViewStore)
}

// boxed is a transport an Outbox put in front of another. Its Close
// appends "outbox <name>" to closed, when set, and leaves the transport
// behind it open.
type boxed struct {
	cqrs.Transport
	name   string
	closed *[]string
}

func (b boxed) Close() error {
	if b.closed != nil {
		*b.closed = append(*b.closed, "outbox "+b.name)
	}
	return nil
}

// TestConfigure_PutsTheOutboxInFront checks that Configure puts the
// outbox, named after the service, in front of the service's transport,
// and that Close closes it before what was opened earlier.
func TestConfigure_PutsTheOutboxInFront(t *testing.T) {
	cfg := memoryConfig(t)
	var closed []string
	cfg.Closers = []func() error{func() error { closed = append(closed, "store"); return nil }}
	cfg.Outbox = func(_ context.Context, service string, inner cqrs.Transport) (cqrs.Transport, error) {
		return boxed{Transport: inner, name: service, closed: &closed}, nil
	}
	b := backend.New(cfg)
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	svc := cqrs.ServiceConfig{Name: "billing", Transport: inner}
	require.NoError(t, b.Configure(context.Background(), &svc))
	assert.Equal(t, boxed{Transport: inner, name: "billing", closed: &closed}, svc.Transport)
	require.NoError(t, b.Close())
	assert.Equal(t, []string{"outbox billing", "store"}, closed)
}

func TestConfigure_RefusesBadInput(t *testing.T) {
	cfg := memoryConfig(t)
	cfg.Outbox = func(context.Context, string, cqrs.Transport) (cqrs.Transport, error) {
		return nil, errors.New("no outbox here")
	}
	b := backend.New(cfg)
	svc := cqrs.ServiceConfig{Name: "billing"}
	err := b.Configure(context.Background(), &svc)
	require.Error(t, err)
	assert.Equal(t, "test: Configure: ServiceConfig.Transport is required with Config.Outbox: it is the transport the outbox passes messages on to", err.Error())
	assert.Len(t, cqrstest.UnsetStores(svc), 3, "a refused Configure changed the configuration")

	svc.Transport = &cqrs.ChannelTransport{}
	assert.EqualError(t, b.Configure(context.Background(), &svc), "test: no outbox here")
	assert.Len(t, cqrstest.UnsetStores(svc), 3, "a refused Configure changed the configuration")
	assert.EqualError(t, b.Configure(context.Background(), nil), "test: Configure: nil ServiceConfig")
}

func TestIdempotency_IsTransactional(t *testing.T) {
	b := backend.New(memoryConfig(t))
	_, err := b.Idempotency(idempotency.MiddlewareConfig{})
	// The in-memory store joins no transaction: a transactional middleware
	// on it is refused, which shows Idempotency asked for one.
	require.Error(t, err)
	assert.ErrorContains(t, err, "Transactional")
}

func TestClose_JoinsEveryErrorAndRefusesLaterUse(t *testing.T) {
	cfg := memoryConfig(t)
	errStore, errIdem := errors.New("store"), errors.New("idempotency")
	var order []string
	closer := func(name string, err error) func() error {
		return func() error {
			order = append(order, name)
			return err
		}
	}
	cfg.Closers = []func() error{closer("store", errStore), closer("idempotency", errIdem), closer("other", nil)}
	b := backend.New(cfg)
	err := b.Close()
	assert.ErrorIs(t, err, errStore)
	assert.ErrorIs(t, err, errIdem)
	assert.Equal(t, []string{"other", "idempotency", "store"}, order)
	assert.NoError(t, b.Close(), "a second Close ran the closers again")
	assert.Len(t, order, 3)

	var svc cqrs.ServiceConfig
	assert.ErrorIs(t, b.Configure(context.Background(), &svc), errClosed)
	_, err = b.Idempotency(idempotency.MiddlewareConfig{})
	assert.ErrorIs(t, err, errClosed)
}

// A closed Backend refuses every Configure with ErrClosed, as its doc
// says, even one whose ServiceConfig it would refuse anyway: told only that
// the Transport is missing, or that the stores are set, a user who fixes
// that finds only then that the Backend cannot serve at all.
func TestConfigure_ClosedRefusesWithErrClosedFirst(t *testing.T) {
	cfg := memoryConfig(t)
	cfg.Outbox = func(_ context.Context, service string, inner cqrs.Transport) (cqrs.Transport, error) {
		return boxed{Transport: inner, name: service}, nil
	}
	b := backend.New(cfg)
	require.NoError(t, b.Close())

	noTransport := cqrs.ServiceConfig{Name: "orders"}
	assert.ErrorIs(t, b.Configure(context.Background(), &noTransport), errClosed)
	storesSet := cqrs.ServiceConfig{Name: "orders", Transport: &cqrs.ChannelTransport{}, ViewStore: cqrs.NewMemoryStore()}
	assert.ErrorIs(t, b.Configure(context.Background(), &storesSet), errClosed)
	assert.Nil(t, noTransport.CommandStore, "a refused Configure changed the ServiceConfig")
}
