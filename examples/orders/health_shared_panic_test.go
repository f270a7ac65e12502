package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A round whose check panics (net/http recovers a handler's panic, so the
// process goes on serving) must not leave /healthz waiting for a round
// that will never end: the next request runs a round of its own.
func TestHealthAfterARoundThatPanickedRunsANewRound(t *testing.T) {
	var s sharedHealth
	require.Panics(t, func() {
		s.check(context.Background(), func(context.Context) (bool, any) { panic("a check's bug") })
	})

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	up, details := s.check(ctx, func(context.Context) (bool, any) { return true, "up" })
	assert.True(t, up, "the check now passes, but the request reported %v", details)
}
