package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A service that fails to start is named once in the error: the service's
// own start error already names it.
func TestAStartErrorNamesTheServiceOnce(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	opts, err := parseFlags([]string{"-transport", "gochannel"}, io.Discard)
	require.NoError(t, err)
	obs, err := newObservability(opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the start's context has ended: the first service's Start fails
	_, _, err = startServices(ctx, opts, obs, &counters{})
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "payments"), err.Error())
}
