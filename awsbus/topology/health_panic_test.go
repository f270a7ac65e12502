package topology_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A probe whose client panics (a bug in it, say a nil pointer) is a check
// that is down, saying so, not the end of the process: each probe runs on
// a goroutine of its own, where no caller could recover the panic. The
// other probes' checks are kept.
func TestRunProbesReportsAPanickingProbeDown(t *testing.T) {
	type order struct{ Card string }
	probes := []topology.Probe{
		{Name: "sqs", Kind: "service", Run: func(context.Context) error { return nil }},
		{Name: "kms", Kind: "service", Run: func(context.Context) error { panic(&order{Card: "4111111111111111"}) }},
		{Name: "sns", Kind: "service", Run: func(context.Context) error { return errors.New("denied") }},
	}

	checks := topology.RunProbes(context.Background(), 5*time.Second, probes)

	require.Len(t, checks, 3)
	assert.Equal(t, topology.HealthUp, checks[0].Status)
	assert.Equal(t, topology.HealthDown, checks[1].Status)
	assert.Equal(t, "the probe panicked: a value of type *topology_test.order", checks[1].Error,
		"the value is described by its type only")
	assert.Equal(t, topology.HealthDown, checks[2].Status)
	assert.Equal(t, "denied", checks[2].Error)
}
