package cqrs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// lockedBuffer is a bytes.Buffer safe for the goroutines that log.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureSlogDefault makes slog.Default() write text to the returned
// buffer at its default level (Info) until the test ends. It swaps the
// process's default logger: a test using it must not run in parallel.
func captureSlogDefault(t *testing.T) *lockedBuffer {
	t.Helper()
	buf := &lockedBuffer{}
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return buf
}

type (
	logCharge      struct{ Cents int }
	forgottenEvent struct{}
)

// With every config left at its defaults, a message dead-lettered because
// its handler raised an event type nobody registered is logged through
// slog.Default(), reason included, instead of vanishing unseen.
func TestDefaultLoggerLogsADeadLetterThroughSlogDefault(t *testing.T) {
	logs := captureSlogDefault(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Listen: []string{"billing-commands"}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[logCharge](svc, "billing.ChargeCard", "billing-commands"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[struct{ N int }](svc, "customer"),
		func(_ context.Context, _ *struct{ N int }, _ logCharge, _ cqrs.Envelope) ([]any, error) {
			return []any{forgottenEvent{}}, nil
		}))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close() })

	_, _ = cqrs.NewAggregate(svc, "customer").Send(context.Background(), "c1", logCharge{Cents: 1})

	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "Message dead-lettered") },
		10*time.Second, time.Millisecond, "logged: %s", logs.String())
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.Contains(t, logs.String(), "forgottenEvent", "the line carries the reason")
	assert.NotContains(t, logs.String(), "level=INFO", "the router's start is not logged at slog's default level")
}

// The transports' default logger keeps routine operation quiet at slog's
// default level: an event nobody listens to, which gochannel logs at
// Watermill's Info level for every publish, logs nothing.
func TestDefaultTransportLoggerKeepsRoutineMessagesQuiet(t *testing.T) {
	logs := captureSlogDefault(t)
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	pub, err := tr.Publisher("nobody-listens")
	require.NoError(t, err)
	for range 3 {
		require.NoError(t, pub.Publish("nobody-listens", message.NewMessage(watermill.NewUUID(), nil)))
	}
	assert.Empty(t, logs.String())
}

// A service built before the program sets slog's default logger logs
// through the one set afterwards, at the level of each line: at slog's
// default level a message whose handler always fails shows one error line
// per delivery and one dead-letter line, and nothing else.
func TestDefaultLoggerLogsThroughTheSlogDefaultSetAfterTheServiceIsBuilt(t *testing.T) {
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Listen: []string{"billing-commands"}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[logCharge](svc, "billing.ChargeCard", "billing-commands"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[struct{ N int }](svc, "customer"),
		func(context.Context, *struct{ N int }, logCharge, cqrs.Envelope) ([]any, error) {
			return nil, errors.New("card declined")
		}))
	logs := captureSlogDefault(t)
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close() })

	_, err = cqrs.NewAggregate(svc, "customer").Send(context.Background(), "c1", logCharge{Cents: 1})
	require.NoError(t, err, "Send returns once the message is dead-lettered")

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var handlerErrors, deadLetters int
	for _, line := range lines {
		assert.Contains(t, line, "level=ERROR")
		assert.Contains(t, line, "card declined")
		handlerErrors += strings.Count(line, `msg="Handler returned error"`)
		deadLetters += strings.Count(line, `msg="Message dead-lettered"`)
	}
	assert.Equal(t, cqrs.DefaultMaxDeliveries, handlerErrors, "one per delivery: %s", logs)
	assert.Equal(t, 1, deadLetters, "once for the message: %s", logs)
	assert.Len(t, lines, cqrs.DefaultMaxDeliveries+1)
}
