package middleware_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware"
)

// chain wraps h in mws, the first outermost, as a Router does.
func chain(h message.HandlerFunc, mws ...message.HandlerMiddleware) message.HandlerFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

func TestHandlerHook_FirstRegisteredIsOutermost(t *testing.T) {
	rec := &recorder{}
	h := chain(func(*message.Message) ([]*message.Message, error) {
		rec.add("handler")
		return nil, nil
	}, rec.around("m1"), rec.around("m2"), rec.around("m3"))

	_, err := h(message.NewMessage("1", nil))

	require.NoError(t, err)
	assert.Equal(t, []string{"m1-before", "m2-before", "m3-before", "handler", "m3-after", "m2-after", "m1-after"},
		rec.list())
}

type handlerHookCase struct {
	name         string
	hook         middleware.HandlerHookFunc
	handlerErr   error
	wantCalls    int
	wantErr      error
	wantOut      int
	wantMetadata string
}

func handlerHookCases() []handlerHookCase {
	boom := errors.New("boom")
	return []handlerHookCase{
		{
			name: "short-circuit: handler not run",
			hook: func(*message.Message, message.HandlerFunc) ([]*message.Message, error) { return nil, nil },
		},
		{
			name:       "error from next surfaces",
			hook:       func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) { return next(msg) },
			handlerErr: boom, wantCalls: 1, wantErr: boom,
		},
		{
			name: "hook handles the error",
			hook: func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
				if _, err := next(msg); errors.Is(err, boom) {
					return nil, nil
				}
				return nil, errors.New("unexpected")
			},
			handlerErr: boom, wantCalls: 1,
		},
		{
			name: "metadata changed before next",
			hook: func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
				msg.Metadata.Set("tenant", "acme")
				return next(msg)
			},
			wantCalls: 1, wantOut: 1, wantMetadata: "acme",
		},
		{
			name: "next called twice runs the handler twice",
			hook: func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
				a, err := next(msg)
				if err != nil {
					return nil, err
				}
				b, err := next(msg)
				return append(a, b...), err
			},
			wantCalls: 2, wantOut: 2,
		},
	}
}

func TestHandlerHook_Semantics(t *testing.T) {
	tests := handlerHookCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			calls := 0
			var seenTenant string
			h := chain(func(msg *message.Message) ([]*message.Message, error) {
				calls++
				seenTenant = msg.Metadata.Get("tenant")
				if tt.handlerErr != nil {
					return nil, tt.handlerErr
				}
				return []*message.Message{message.NewMessage(watermill.NewUUID(), nil)}, nil
			}, rec.around("outer"), middleware.HandlerHook(tt.hook))

			out, err := h(message.NewMessage("1", nil))

			assert.Equal(t, tt.wantCalls, calls)
			assert.Len(t, out, tt.wantOut)
			assert.Equal(t, tt.wantMetadata, seenTenant)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, []string{"outer-before", "outer-after"}, rec.list(), "outer layers run in every case")
		})
	}
}

// Every layer sees the handler's error on its way out.
func TestHandlerHook_ErrorPassesEveryLayer(t *testing.T) {
	boom := errors.New("boom")
	var seen []string
	spy := func(name string) message.HandlerMiddleware {
		return middleware.HandlerHook(func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
			out, err := next(msg)
			if errors.Is(err, boom) {
				seen = append(seen, name)
			}
			return out, err
		})
	}
	h := chain(func(*message.Message) ([]*message.Message, error) { return nil, boom }, spy("m1"), spy("m2"), spy("m3"))

	_, err := h(message.NewMessage("1", nil))

	require.ErrorIs(t, err, boom)
	assert.Equal(t, []string{"m3", "m2", "m1"}, seen)
}

func TestPublishHook_FirstRegisteredIsOutermost(t *testing.T) {
	rec := &recorder{}
	var s middleware.Stack
	require.NoError(t, s.Decorate(middleware.ProduceCorrelation, "m1", rec.aroundPublish("m1")))
	require.NoError(t, s.Decorate(middleware.ProduceCorrelation, "m2", rec.aroundPublish("m2")))
	require.NoError(t, s.Decorate(middleware.ProduceCorrelation, "m3", rec.aroundPublish("m3")))
	pub, err := s.DecoratePublisher(&fakePublisher{rec: rec})
	require.NoError(t, err)

	require.NoError(t, pub.Publish("t", message.NewMessage("1", nil)))

	assert.Equal(t, []string{"m1-before", "m2-before", "m3-before", "transport", "m3-after", "m2-after", "m1-after"},
		rec.list())
}

// publishThrough publishes one message through hook onto a gochannel topic
// whose Publish blocks until the subscriber acked, so once Publish returns,
// every message it published has been received: "nothing was published" is
// observable without waiting for a timeout.
func publishThrough(t *testing.T, hook middleware.PublishHookFunc) ([]*message.Message, error) {
	t.Helper()
	ps := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, watermill.NopLogger{})
	t.Cleanup(func() { _ = ps.Close() })
	ch, err := ps.Subscribe(context.Background(), "topic")
	require.NoError(t, err)
	var mu sync.Mutex
	var got []*message.Message
	go func() {
		for m := range ch {
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
			m.Ack()
		}
	}()
	pub, err := middleware.PublishHook(hook)(ps)
	require.NoError(t, err)

	pubErr := pub.Publish("topic", message.NewMessage("payload", nil))

	mu.Lock()
	defer mu.Unlock()
	return append([]*message.Message(nil), got...), pubErr
}

func TestPublishHook_Semantics(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		hook     middleware.PublishHookFunc
		wantN    int
		wantErr  error
		wantMeta string
	}{
		{
			name: "pass-through publishes once",
			hook: func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
				return next(topic, msgs...)
			},
			wantN: 1,
		},
		{
			name: "short-circuit publishes nothing",
			hook: func(string, []*message.Message, middleware.PublishFunc) error { return nil },
		},
		{
			name:    "short-circuit with an error",
			hook:    func(string, []*message.Message, middleware.PublishFunc) error { return boom },
			wantErr: boom,
		},
		{
			name: "metadata changed before next",
			hook: func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
				msgs[0].Metadata.Set("tenant", "acme")
				return next(topic, msgs...)
			},
			wantN: 1, wantMeta: "acme",
		},
		{
			name: "next called twice publishes twice",
			hook: func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
				return errors.Join(next(topic, msgs...), next(topic, msgs...))
			},
			wantN: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := publishThrough(t, tt.hook)

			require.ErrorIs(t, err, tt.wantErr)
			require.Len(t, got, tt.wantN)
			for _, m := range got {
				assert.Equal(t, "payload", m.UUID)
				assert.Equal(t, tt.wantMeta, m.Metadata.Get("tenant"))
			}
		})
	}
}

func TestPublishHook_TransportErrorPassesEveryLayerOrIsHandled(t *testing.T) {
	boom := errors.New("transport down")
	var seen []string
	spy := func(name string) message.PublisherDecorator {
		return middleware.PublishHook(func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
			err := next(topic, msgs...)
			if errors.Is(err, boom) {
				seen = append(seen, name)
			}
			return err
		})
	}
	swallow := middleware.PublishHook(func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
		if err := next(topic, msgs...); !errors.Is(err, boom) {
			return errors.New("unexpected")
		}
		return nil
	})
	var s middleware.Stack
	require.NoError(t, s.Decorate(middleware.ProduceCorrelation, "m1", spy("m1")))
	require.NoError(t, s.Decorate(middleware.ProduceTracing, "m2", spy("m2")))
	require.NoError(t, s.Decorate(middleware.ProduceMetrics, "m3", spy("m3")))
	pub, err := s.DecoratePublisher(&fakePublisher{err: boom})
	require.NoError(t, err)

	require.ErrorIs(t, pub.Publish("t", message.NewMessage("1", nil)), boom)
	assert.Equal(t, []string{"m3", "m2", "m1"}, seen)

	require.NoError(t, s.Decorate(middleware.ProduceTracing, "swallow", swallow))
	seen = nil
	pub, err = s.DecoratePublisher(&fakePublisher{err: boom})
	require.NoError(t, err)
	require.NoError(t, pub.Publish("t", message.NewMessage("1", nil)), "a hook may handle the error")
	assert.Equal(t, []string{"m3"}, seen, "layers outside the handling hook see no error")
}

func TestPublishHook_NilPublisher(t *testing.T) {
	d := middleware.PublishHook(func(string, []*message.Message, middleware.PublishFunc) error { return nil })
	_, err := d(nil)
	require.ErrorIs(t, err, middleware.ErrNilPublisher)
}
