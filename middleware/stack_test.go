package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware"
)

const emptyStack = "consume: handler; produce: transport"

func passThrough(h message.HandlerFunc) message.HandlerFunc { return h }

func passThroughPub(p message.Publisher) (message.Publisher, error) { return p, nil }

func TestStack_UseRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		phase   middleware.ConsumePhase
		entry   string
		m       message.HandlerMiddleware
		wantErr error
	}{
		{"unknown phase zero", 0, "x", passThrough, middleware.ErrUnknownPhase},
		{"unknown phase high", middleware.ConsumeRetry + 1, "x", passThrough, middleware.ErrUnknownPhase},
		{"empty name", middleware.ConsumeRecover, "", passThrough, middleware.ErrEmptyName},
		{"nil middleware", middleware.ConsumeRecover, "x", nil, middleware.ErrNilMiddleware},
		{"nil hook", middleware.ConsumeRecover, "x", middleware.HandlerHook(nil), middleware.ErrNilMiddleware},
		{"duplicate name in phase", middleware.ConsumeRetry, "taken", passThrough, middleware.ErrDuplicateName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s middleware.Stack
			require.NoError(t, s.Use(middleware.ConsumeRetry, "taken", passThrough))
			before := s.String()

			err := s.Use(tt.phase, tt.entry, tt.m)

			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, before, s.String(), "a rejected entry must leave the Stack unchanged")
			assert.Len(t, s.HandlerMiddlewares(), 1)
		})
	}
}

func TestStack_DecorateRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		phase   middleware.ProducePhase
		entry   string
		d       message.PublisherDecorator
		wantErr error
	}{
		{"unknown phase zero", 0, "x", passThroughPub, middleware.ErrUnknownPhase},
		{"unknown phase high", middleware.ProduceMetrics + 1, "x", passThroughPub, middleware.ErrUnknownPhase},
		{"empty name", middleware.ProduceTracing, "", passThroughPub, middleware.ErrEmptyName},
		{"nil decorator", middleware.ProduceTracing, "x", nil, middleware.ErrNilMiddleware},
		{"nil hook", middleware.ProduceTracing, "x", middleware.PublishHook(nil), middleware.ErrNilMiddleware},
		{"duplicate name in phase", middleware.ProduceEncrypt, "taken", passThroughPub, middleware.ErrDuplicateName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s middleware.Stack
			require.NoError(t, s.Decorate(middleware.ProduceEncrypt, "taken", passThroughPub))
			before := s.String()

			err := s.Decorate(tt.phase, tt.entry, tt.d)

			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, before, s.String())
			assert.Len(t, s.PublisherDecorators(), 1)
		})
	}
}

func TestStack_SameNameInOtherPhasesIsAllowed(t *testing.T) {
	s := middleware.NewStack()
	require.NoError(t, s.Use(middleware.ConsumeTracing, "otel", passThrough))
	require.NoError(t, s.Use(middleware.ConsumeMetrics, "otel", passThrough))
	require.NoError(t, s.Decorate(middleware.ProduceTracing, "otel", passThroughPub))
	require.NoError(t, s.Decorate(middleware.ProduceMetrics, "otel", passThroughPub))

	assert.Equal(t, "consume: tracing(otel) → metrics(otel) → handler; "+
		"produce: tracing(otel) → metrics(otel) → transport", s.String())
}

// TestStack_StringOfEmptyStackShowsNoPhase checks that a phase without an
// entry is left out: a bare stack must not read as if tracing or retry
// were on.
func TestStack_StringOfEmptyStackShowsNoPhase(t *testing.T) {
	var s middleware.Stack
	assert.Equal(t, emptyStack, s.String())
	assert.Empty(t, s.HandlerMiddlewares())
	assert.Empty(t, s.PublisherDecorators())
}

func TestPhase_String(t *testing.T) {
	var consume, produce []string
	for _, p := range middleware.ConsumePhases() {
		consume = append(consume, p.String())
	}
	for _, p := range middleware.ProducePhases() {
		produce = append(produce, p.String())
	}
	assert.Equal(t, []string{"recover", "tracing", "metrics", "idempotency", "decrypt", "retry"}, consume)
	assert.Equal(t, []string{"correlation", "tracing", "encrypt", "metrics"}, produce)
	assert.Equal(t, "unknown", middleware.ConsumePhase(0).String())
	assert.Equal(t, "unknown", middleware.ProducePhase(99).String())
}

// fillStack registers two recording entries in every phase, in reverse phase
// order, so that only the Stack's ordering can put them right.
func fillStack(t *testing.T, s *middleware.Stack, rec *recorder) {
	t.Helper()
	consume := middleware.ConsumePhases()
	for i := len(consume) - 1; i >= 0; i-- {
		p := consume[i]
		require.NoError(t, s.Use(p, "a", rec.around("c-"+p.String()+"-a")))
		require.NoError(t, s.Use(p, "b", rec.around("c-"+p.String()+"-b")))
	}
	produce := middleware.ProducePhases()
	for i := len(produce) - 1; i >= 0; i-- {
		p := produce[i]
		require.NoError(t, s.Decorate(p, "a", rec.aroundPublish("p-"+p.String()+"-a")))
		require.NoError(t, s.Decorate(p, "b", rec.aroundPublish("p-"+p.String()+"-b")))
	}
}

func wantOrder() []string {
	var before, after []string
	for _, p := range middleware.ConsumePhases() {
		for _, n := range []string{"a", "b"} {
			name := "c-" + p.String() + "-" + n
			before = append(before, name+"-before")
			after = append([]string{name + "-after"}, after...)
		}
	}
	var pBefore, pAfter []string
	for _, p := range middleware.ProducePhases() {
		for _, n := range []string{"a", "b"} {
			name := "p-" + p.String() + "-" + n
			pBefore = append(pBefore, name+"-before")
			pAfter = append([]string{name + "-after"}, pAfter...)
		}
	}
	// The router publishes the handler's output after the consume chain returns.
	out := append(before, "handler")
	out = append(out, after...)
	out = append(out, pBefore...)
	out = append(out, "transport")
	return append(out, pAfter...)
}

// The chains handed to a real Watermill Router run in phase order: the consume
// side outermost first, the produce side first phase first, then the transport.
func TestStack_OrderOnWatermillRouter(t *testing.T) {
	rec := &recorder{}
	var s middleware.Stack
	fillStack(t, &s, rec)

	logger := watermill.NopLogger{}
	ps := gochannel.NewGoChannel(gochannel.Config{}, logger)
	out := &fakePublisher{rec: rec}
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	router.AddMiddleware(s.HandlerMiddlewares()...)
	router.AddPublisherDecorators(s.PublisherDecorators()...)
	router.AddHandler("h", "in", ps, "out", out, func(msg *message.Message) ([]*message.Message, error) {
		rec.add("handler")
		return []*message.Message{message.NewMessage(watermill.NewUUID(), nil)}, nil
	})
	runRouter(t, router)

	require.NoError(t, ps.Publish("in", message.NewMessage(watermill.NewUUID(), nil)))
	require.Eventually(t, func() bool { return len(rec.list()) == len(wantOrder()) }, 5*time.Second, time.Millisecond)

	assert.Equal(t, wantOrder(), rec.list())
}

// WrapHandler and DecoratePublisher apply the same order by hand.
func TestStack_OrderByHand(t *testing.T) {
	rec := &recorder{}
	var s middleware.Stack
	fillStack(t, &s, rec)
	transport := &fakePublisher{rec: rec}
	pub, err := s.DecoratePublisher(transport)
	require.NoError(t, err)
	h := s.WrapHandler(func(msg *message.Message) ([]*message.Message, error) {
		rec.add("handler")
		return []*message.Message{message.NewMessage(watermill.NewUUID(), nil)}, nil
	})

	msgs, err := h(message.NewMessage(watermill.NewUUID(), nil))
	require.NoError(t, err)
	require.NoError(t, pub.Publish("out", msgs...))

	assert.Equal(t, wantOrder(), rec.list())
	require.NoError(t, pub.Close())
	assert.True(t, transport.closed, "Close reaches the transport through every decorator")
}

func TestStack_DecoratePublisherReportsFailingDecorator(t *testing.T) {
	var s middleware.Stack
	boom := errors.New("boom")
	require.NoError(t, s.Decorate(middleware.ProduceEncrypt, "kms", func(message.Publisher) (message.Publisher, error) {
		return nil, boom
	}))

	pub, err := s.DecoratePublisher(&fakePublisher{})

	require.ErrorIs(t, err, boom)
	assert.ErrorContains(t, err, `"kms" (phase encrypt)`)
	assert.Nil(t, pub)
	_, err = s.DecoratePublisher(nil)
	require.ErrorIs(t, err, middleware.ErrNilPublisher)
}

func TestStack_ChainsAreSnapshots(t *testing.T) {
	rec := &recorder{}
	var s middleware.Stack
	require.NoError(t, s.Use(middleware.ConsumeRecover, "first", rec.around("first")))
	h := s.WrapHandler(func(*message.Message) ([]*message.Message, error) { return nil, nil })
	mws := s.HandlerMiddlewares()

	require.NoError(t, s.Use(middleware.ConsumeRecover, "later", rec.around("later")))
	_, err := h(message.NewMessage("1", nil))
	require.NoError(t, err)

	assert.Equal(t, []string{"first-before", "first-after"}, rec.list())
	assert.Len(t, mws, 1)
	assert.Len(t, s.HandlerMiddlewares(), 2)
}

func TestStack_ConcurrentUse(t *testing.T) {
	var s middleware.Stack
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			assert.NoError(t, s.Use(middleware.ConsumeMetrics, fmt.Sprint("m", i), passThrough))
			assert.NoError(t, s.Decorate(middleware.ProduceMetrics, fmt.Sprint("m", i), passThroughPub))
			_ = s.String()
			_ = s.WrapHandler(func(*message.Message) ([]*message.Message, error) { return nil, nil })
		})
	}
	wg.Wait()
	assert.Len(t, s.HandlerMiddlewares(), 8)
	assert.Len(t, s.PublisherDecorators(), 8)
}

// runRouter runs router until the test ends.
func runRouter(t *testing.T, router *message.Router) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- router.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	select {
	case <-router.Running():
	case <-time.After(5 * time.Second):
		t.Fatal("router did not start")
	}
}
