package cqrs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Instances of one service may share a PubSubTransport: one instance
// binding it while another takes its subscribers reads and writes the
// bound service name safely (go test -race).
func TestPubSubTransportServesSubscribersWhileAnInstanceOfItsServiceBinds(t *testing.T) {
	tr := newPubSubRig(t).transport(t, cqrs.PubSubConfig{})
	b := sourceflow.Binding{Service: "svc",
		Listeners: []sourceflow.Listener{{Destination: "cmds", Kind: sourceflow.KindCommand}}}
	require.NoError(t, tr.Bind(context.Background(), b))
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 200 {
			assert.NoError(t, tr.Bind(context.Background(), b))
		}
	})
	wg.Go(func() {
		for range 200 {
			sub, err := tr.Subscriber("cmds")
			if assert.NoError(t, err) {
				assert.NoError(t, sub.Close())
			}
		}
	})
	wg.Wait()
}
