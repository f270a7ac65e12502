package middleware_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
)

type recoverCase struct {
	name      string
	handler   message.HandlerFunc
	wantErr   error
	wantPanic any
	wantOut   int
}

func recoverCases() []recoverCase {
	handlerErr := errors.New("handler failed")
	return []recoverCase{
		{
			name: "no panic passes output through",
			handler: func(*message.Message) ([]*message.Message, error) {
				return []*message.Message{message.NewMessage("out", nil)}, nil
			},
			wantOut: 1,
		},
		{
			name:    "error without panic passes through",
			handler: func(*message.Message) ([]*message.Message, error) { return nil, handlerErr },
			wantErr: handlerErr,
		},
		{
			name:      "panic with a string",
			handler:   func(*message.Message) ([]*message.Message, error) { panic("bad state") },
			wantErr:   sourceflow.ErrPanic,
			wantPanic: "bad state",
		},
		{
			name:      "panic with an error keeps the error reachable",
			handler:   func(*message.Message) ([]*message.Message, error) { panic(io.ErrUnexpectedEOF) },
			wantErr:   io.ErrUnexpectedEOF,
			wantPanic: io.ErrUnexpectedEOF,
		},
		{
			name: "panic after producing drops the output",
			handler: func(*message.Message) (out []*message.Message, err error) {
				defer func() { panic("late") }()
				return []*message.Message{message.NewMessage("out", nil)}, nil
			},
			wantErr: sourceflow.ErrPanic,
		},
	}
}

func TestRecover(t *testing.T) {
	tests := recoverCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := middleware.Recover(tt.handler)(message.NewMessage("1", nil))

			assert.Len(t, out, tt.wantOut)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var pe *sourceflow.PanicError
			if !errors.Is(err, sourceflow.ErrPanic) {
				assert.False(t, errors.As(err, &pe))
				return
			}
			require.ErrorAs(t, err, &pe)
			if tt.wantPanic != nil {
				assert.Equal(t, tt.wantPanic, pe.Value)
			}
			assert.Contains(t, string(pe.Stack), "recover_test.go", "stack points at the panicking code")
			assert.NotContains(t, pe.Error(), "goroutine", "the stack stays out of the error text")
		})
	}
}

func TestRecover_PanicNil(t *testing.T) {
	_, err := middleware.Recover(func(*message.Message) ([]*message.Message, error) {
		panic(nil) //nolint:govet // the point of the test
	})(message.NewMessage("1", nil))

	require.ErrorIs(t, err, sourceflow.ErrPanic)
	var pnil *runtime.PanicNilError
	assert.ErrorAs(t, err, &pnil)
}

// A panicking message is nacked and redelivered, not lost, and the router
// keeps handling the others.
func TestRecover_OnRouterNacksAndKeepsFlowing(t *testing.T) {
	logger := watermill.NopLogger{}
	ps := gochannel.NewGoChannel(gochannel.Config{}, logger)
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)

	var mu sync.Mutex
	attempts := map[string]int{}
	var seenErrs []error
	router.AddMiddleware(
		middleware.HandlerHook(func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
			out, err := next(msg)
			if err != nil {
				mu.Lock()
				seenErrs = append(seenErrs, err)
				mu.Unlock()
			}
			return out, err
		}),
		middleware.Recover,
	)
	router.AddConsumerHandler("h", "in", ps, func(msg *message.Message) error {
		mu.Lock()
		attempts[msg.UUID]++
		n := attempts[msg.UUID]
		mu.Unlock()
		if msg.UUID == "m3" && n == 1 {
			panic("poisoned on first delivery")
		}
		return nil
	})
	runRouter(t, router)

	for i := 1; i <= 5; i++ {
		require.NoError(t, ps.Publish("in", message.NewMessage(fmt.Sprint("m", i), nil)))
	}

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(attempts) == 5 && attempts["m3"] == 2
	}, 5*time.Second, time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for _, id := range []string{"m1", "m2", "m4", "m5"} {
		assert.Equal(t, 1, attempts[id], id)
	}
	require.Len(t, seenErrs, 1)
	var pe *sourceflow.PanicError
	require.ErrorAs(t, seenErrs[0], &pe)
	assert.Equal(t, "poisoned on first delivery", pe.Value)
}
