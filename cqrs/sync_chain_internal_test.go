package cqrs

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A handler about to take a lock its synchronous chain holds releases the
// nearest delivery its chain waits on, and only while that delivery is
// waited on; a lock held in the same handler, or not held, releases none.
func TestSyncChainReleasesTheNearestDeliveryWaitingOnAHeldLock(t *testing.T) {
	held, other := &keyLock{}, &keyLock{}
	far, near := newSyncDelivery(func(*keyLock) {}), newSyncDelivery(func(*keyLock) {})
	ctx := withHeldLock(context.Background(), held)
	ctx = context.WithValue(ctx, chainKey{}, &chainLink{parent: chainOf(ctx), delivery: far})
	ctx = context.WithValue(ctx, chainKey{}, &chainLink{parent: chainOf(ctx), delivery: near})

	assert.Same(t, near, chainOf(ctx).waiterOn(held))
	assert.Nil(t, chainOf(ctx).waiterOn(other), "not held")
	assert.Nil(t, chainOf(withHeldLock(context.Background(), held)).waiterOn(held), "held by the same handler")
	assert.True(t, chainOf(ctx).holds(held))
	assert.False(t, chainOf(ctx).holds(other))

	assert.False(t, near.finish(), "never released")
	assert.Nil(t, chainOf(ctx).waiterOn(held), "nobody waits on a delivery whose publish returned")
	assert.False(t, chainOf(ctx).holds(), "the locks past it are no longer the chain's")
}

// A released delivery records each lock it waits for until its publish
// returns, and tells its publisher once.
func TestSyncDeliveryReleasesItsPublisherOnce(t *testing.T) {
	var waits []*keyLock
	d := newSyncDelivery(func(l *keyLock) { waits = append(waits, l) })
	a, b := &keyLock{}, &keyLock{}

	d.release(a)
	d.release(b)
	released := d.finish()
	d.release(a)

	assert.True(t, released)
	assert.Equal(t, []*keyLock{a, b}, waits, "nothing recorded after the publish returned")
	select {
	case <-d.released:
	default:
		t.Fatal("the publisher was not released")
	}
}
