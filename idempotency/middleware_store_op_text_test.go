package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// wordingStore claims in memory; its completions and releases fail with
// err, worded as the module's stores word theirs: "<prefix><op> <key>:
// <err>", err's leading "idempotency: " left out.
type wordingStore struct {
	*idempotency.MemoryStore
	prefix string
	err    error
}

func (s wordingStore) Complete(_ context.Context, key idempotency.Key, _ string, _ time.Duration) error {
	return errtext.WrapOp(s.prefix, "complete", key.String(), "idempotency: ", s.err)
}

func (s wordingStore) Release(_ context.Context, key idempotency.Key, _ string) error {
	return errtext.WrapOp(s.prefix, "release", key.String(), "idempotency: ", s.err)
}

// A store's error naming the operation and the key is not given them again
// by the middleware, which names only its package, unless the store's text
// starts with it; errors.Is reaches every sentinel of the package.
func TestMiddlewareDoesNotRepeatTheOperationAndKeyAStoreNamed(t *testing.T) {
	sentinels := []error{
		idempotency.ErrPayloadMismatch, idempotency.ErrInProgress, idempotency.ErrLeaseLost,
		idempotency.ErrClaimHeld, idempotency.ErrInvalidKey, idempotency.ErrInvalidDuration,
		idempotency.ErrStoreFull, idempotency.ErrClosed, idempotency.ErrMissingMessageID,
		idempotency.ErrMissingConsumer, idempotency.ErrOutputAfterCompletion,
	}
	for _, prefix := range []string{"teststore: ", "idempotency/teststore: "} {
		for _, sentinel := range sentinels {
			// A lost lease at release is no failure: see it at completion.
			op, h := "release", message.HandlerFunc(func(*message.Message) ([]*message.Message, error) {
				return nil, errors.New("handler failed")
			})
			if errors.Is(sentinel, idempotency.ErrLeaseLost) {
				op, h = "complete", func(*message.Message) ([]*message.Message, error) { return nil, nil }
			}
			store := wordingStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{}), prefix: prefix, err: sentinel}
			m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c"})

			_, err := m.Middleware(h)(sfMessage("m-1", "p"))

			require.ErrorIs(t, err, sentinel)
			text := strings.TrimPrefix(sentinel.Error(), "idempotency: ")
			want := "idempotency: " + prefix + op + " c/0::m-1: " + text
			if strings.HasPrefix(prefix, "idempotency") {
				want = prefix + op + " c/0::m-1: " + text
			}
			assert.Contains(t, err.Error(), want)
			assert.Equal(t, 1, strings.Count(err.Error(), op+" c/0::m-1"), "%q", err)
		}
	}
}

// quotingStore claims in memory; its completions fail with an error that
// quotes what its server answered, which reads as an operation on the key.
type quotingStore struct{ *idempotency.MemoryStore }

func (s quotingStore) Complete(_ context.Context, key idempotency.Key, _ string, _ time.Duration) error {
	return fmt.Errorf("teststore: the server answered %q", "complete "+key.String()+": busy")
}

// The middleware names the operation and the key unless the store's error
// carries them as data: a text that only reads as them is no naming.
func TestMiddlewareNamesTheOperationAStoreOnlyQuoted(t *testing.T) {
	store := quotingStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c"})

	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(sfMessage("m-1", "p"))

	require.Error(t, err)
	assert.Equal(t, `idempotency: complete c/0::m-1: teststore: the server answered "complete c/0::m-1: busy"`, err.Error())
}
