package outbox_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Instances that bind a new outbox at once (a first deploy) all bind: they
// do not collide creating the held table.
func TestInstancesBindingANewOutboxAtOnceAllBind(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obc")
		d.dropOutbox(t, db, topic)
		const instances = 6
		errs := make([]error, instances)
		var wg sync.WaitGroup
		for i := range instances {
			box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: newStuckTransport(), Topic: topic, DisableForwarder: true})
			require.NoError(t, err)
			t.Cleanup(func() { _ = box.Close() })
			wg.Go(func() { errs[i] = box.Bind(context.Background(), sourceflow.Binding{Service: "obc"}) })
		}
		wg.Wait()
		for i, err := range errs {
			assert.NoError(t, err, "instance %d", i)
		}
	})
}
