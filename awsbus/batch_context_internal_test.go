package awsbus

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBatchContext_AWaitersShortDeadlineNeverBoundsTheOthers(t *testing.T) {
	waiting := func(ctx context.Context) *waiter { return &waiter{o: outgoing{ctx: ctx}} }
	soon, cancelSoon := context.WithTimeout(context.Background(), time.Minute)
	defer cancelSoon()
	later, cancelLater := context.WithTimeout(context.Background(), time.Hour)
	defer cancelLater()

	ctx, cancel := batchContext([]*waiter{waiting(soon), waiting(context.Background())})
	defer cancel()
	_, bounded := ctx.Deadline()
	assert.False(t, bounded, "a waiter without a deadline waits as long as the call takes")

	ctx, cancel = batchContext([]*waiter{waiting(soon), waiting(later)})
	defer cancel()
	d, _ := ctx.Deadline()
	want, _ := later.Deadline()
	assert.Equal(t, want, d, "the call lasts until the last waiter gives up")

	cancelSoon()
	assert.NoError(t, ctx.Err(), "a waiter's cancellation does not end the call")
}
