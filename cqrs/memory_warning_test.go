package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// remoteTransport stands for a transport between processes (awsbus,
// sqlbus): it carries messages over an in-process one, which it does not
// embed, so it is not taken for one.
type remoteTransport struct{ inner *cqrs.ChannelTransport }

func newRemoteTransport(t *testing.T) *remoteTransport {
	t.Helper()
	return &remoteTransport{inner: newChannel(t)}
}

func (r *remoteTransport) Bind(ctx context.Context, b sourceflow.Binding) error {
	return r.inner.Bind(ctx, b)
}

func (r *remoteTransport) Publisher(dest string) (message.Publisher, error) {
	return r.inner.Publisher(dest)
}

func (r *remoteTransport) Subscriber(dest string) (message.Subscriber, error) {
	return r.inner.Subscriber(dest)
}

func (r *remoteTransport) Close() error { return r.inner.Close() }

func newChannel(t *testing.T) *cqrs.ChannelTransport {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// sharedStore stands for a database store: not one of the memory stores.
type sharedStore struct{ *cqrs.MemoryStore }

type bookRoom struct{ Room string }

type roomBooked struct{ Room string }

type stay struct{ Rooms []string }

// startHotel starts a service on cfg with a saga handling a command and a
// view of its event, and returns what its Logger captured.
func startHotel(t *testing.T, cfg cqrs.ServiceConfig) *watermill.CaptureLoggerAdapter {
	t.Helper()
	logs, _ := startHotelService(t, cfg)
	return logs
}

// startHotelService is startHotel, returning the service too.
func startHotelService(t *testing.T, cfg cqrs.ServiceConfig) (*watermill.CaptureLoggerAdapter, *cqrs.Service) {
	t.Helper()
	logs := watermill.NewCaptureLogger()
	cfg.Name, cfg.Logger, cfg.Listen = "hotel", logs, []string{"bookings", "booking-events"}
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[bookRoom](svc, "hotel.BookRoom", "bookings"),
		cqrs.RegisterEvent[roomBooked](svc, "hotel.RoomBooked", "booking-events"),
		cqrs.Handle(cqrs.NewSaga[stay](svc, "stay"), func(_ context.Context, s *stay, c bookRoom, _ cqrs.Envelope) ([]any, error) {
			s.Rooms = append(s.Rooms, c.Room)
			return []any{roomBooked(c)}, nil
		}),
		cqrs.Project(cqrs.NewView[stay](svc, "stays"), func(_ context.Context, s *stay, e roomBooked, _ cqrs.Envelope) error {
			s.Rooms = append(s.Rooms, e.Room)
			return nil
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	return logs, svc
}

// memoryWarnings returns the fields of each memory-state warning logs holds.
func memoryWarnings(logs *watermill.CaptureLoggerAdapter) []watermill.LogFields {
	var found []watermill.LogFields
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "keeps state in memory") && strings.Contains(m.Msg, "Backend.NewService") {
			found = append(found, m.Fields)
		}
	}
	return found
}

func TestStart_WarnsOfMemoryStoresBehindATransportBetweenProcesses(t *testing.T) {
	logs := startHotel(t, cqrs.ServiceConfig{Transport: newRemoteTransport(t)})
	warnings := memoryWarnings(logs)
	require.Len(t, warnings, 1, "%v", logs.Captured())
	assert.Equal(t, watermill.LogFields{
		"service":   "hotel",
		"stores":    "ServiceConfig.CommandStore, ServiceConfig.EntityStore, ServiceConfig.ViewStore",
		"transport": "*cqrs_test.remoteTransport",
	}, warnings[0])
}

func TestStart_WarnsOfAHybridTransportWithASideBetweenProcesses(t *testing.T) {
	hybrid, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: newChannel(t), Events: newRemoteTransport(t)})
	require.NoError(t, err)
	logs := startHotel(t, cqrs.ServiceConfig{Transport: hybrid})
	assert.Len(t, memoryWarnings(logs), 1, "%v", logs.Captured())
}

func TestStart_NamesOnlyTheMemoryStoresLeft(t *testing.T) {
	logs := startHotel(t, cqrs.ServiceConfig{Transport: newRemoteTransport(t), EntityStore: sharedStore{cqrs.NewMemoryStore()}})
	warnings := memoryWarnings(logs)
	require.Len(t, warnings, 1, "%v", logs.Captured())
	assert.Equal(t, "ServiceConfig.CommandStore, ServiceConfig.ViewStore", warnings[0]["stores"])
}

func TestStart_DoesNotWarnWithoutMemoryState(t *testing.T) {
	gc := gochannel.NewGoChannel(gochannel.Config{}, watermill.NopLogger{})
	overGoChannel, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher:    gc,
		Subscriber:   func(string, string) (message.Subscriber, error) { return gc, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = overGoChannel.Close() })
	hybrid, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: newChannel(t), Events: newChannel(t)})
	require.NoError(t, err)
	for name, cfg := range map[string]cqrs.ServiceConfig{
		"the default ChannelTransport":   {},
		"a ChannelTransport":             {Transport: newChannel(t)},
		"a HybridTransport in process":   {Transport: hybrid},
		"a PubSubTransport on gochannel": {Transport: overGoChannel},
		"stores set": {Transport: newRemoteTransport(t), CommandStore: sharedCommands{cqrs.NewMemoryCommandStore()},
			EntityStore: sharedStore{cqrs.NewMemoryStore()}, ViewStore: sharedStore{cqrs.NewMemoryStore()}},
	} {
		t.Run(name, func(t *testing.T) {
			logs := startHotel(t, cfg)
			assert.Empty(t, memoryWarnings(logs))
		})
	}
}

// A service that only reacts to events keeps no state: its memory stores
// are not worth a warning.
func TestStart_DoesNotWarnAStatelessService(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "mailer", Transport: newRemoteTransport(t), Logger: logs, Listen: []string{"booking-events"}})
	require.NoError(t, err)
	require.NoError(t, errors.Join(
		cqrs.RegisterEvent[roomBooked](svc, "hotel.RoomBooked", "booking-events"),
		cqrs.React(cqrs.NewAggregate(svc, "mailer"), func(context.Context, *cqrs.Aggregate, roomBooked, cqrs.Envelope) error { return nil }),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	assert.Empty(t, memoryWarnings(logs))
}

// sharedCommands stands for a database command store.
type sharedCommands struct{ *cqrs.MemoryCommandStore }
