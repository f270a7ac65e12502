package sqlbackend

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestClose_JoinsEveryError checks that Close runs every closer, last
// added first, even after one failed, and returns every error.
func TestClose_JoinsEveryError(t *testing.T) {
	errStore, errOutbox := errors.New("store"), errors.New("outbox")
	var order []string
	closer := func(name string, err error) func() error {
		return func() error {
			order = append(order, name)
			return err
		}
	}
	b := &Backend{closers: []func() error{closer("store", errStore), closer("idempotency", nil), closer("outbox", errOutbox)}}
	err := b.Close()
	assert.ErrorIs(t, err, errStore)
	assert.ErrorIs(t, err, errOutbox)
	assert.Equal(t, []string{"outbox", "idempotency", "store"}, order)
	assert.NoError(t, b.Close(), "a second Close ran the closers again")
	assert.Len(t, order, 3)
}
