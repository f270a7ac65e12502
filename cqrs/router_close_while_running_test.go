package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestAServiceClosedAsItsSharedRouterStartsClosesCleanly: a service started
// in the caller's router (ServiceConfig.Router) is closed while the router
// starts running its handlers. Close stops a handler the router started
// only once the router has finished starting it (run with -race: the
// router sets a started handler's stop function after it reports the
// handler started), and returns without error.
func TestAServiceClosedAsItsSharedRouterStartsClosesCleanly(t *testing.T) {
	for range 50 {
		router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
		require.NoError(t, err)
		var noted atomic.Int64
		svc := newNoteService(t, cqrs.ServiceConfig{Name: "audit", Transport: newTransport(t), Listen: []string{"audit"}, Router: router}, &noted)
		require.NoError(t, svc.Start(context.Background()))
		ran := make(chan error, 1)
		go func() { ran <- router.Run(context.Background()) }()
		require.NoError(t, svc.Close())
		<-router.Running()
		require.NoError(t, router.Close())
		require.NoError(t, <-ran)
	}
}
