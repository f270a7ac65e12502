package topology_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A probe's error says its check's status: ErrSkipped skipped, ErrDegraded
// degraded (wrapped or joined too), any other down; the error is kept.
func TestRunProbesTakesTheStatusFromTheError(t *testing.T) {
	probe := func(err error) topology.Probe {
		return topology.Probe{Name: "p", Kind: "service", Run: func(context.Context) error { return err }}
	}
	checks := topology.RunProbes(context.Background(), 5*time.Second, []topology.Probe{
		probe(nil),
		probe(errors.Join(topology.ErrSkipped, errors.New("nothing to check"))),
		probe(errors.Join(topology.ErrDegraded, errors.New("short of the configuration"))),
		probe(fmt.Errorf("wrapped: %w", topology.ErrDegraded)),
		probe(errors.New("denied")),
	})
	require.Len(t, checks, 5)
	for i, want := range []topology.HealthStatus{topology.HealthUp, topology.HealthSkipped, topology.HealthDegraded,
		topology.HealthDegraded, topology.HealthDown} {
		assert.Equal(t, want, checks[i].Status, "probe %d", i)
	}
	assert.Equal(t, "degraded\nshort of the configuration", checks[2].Error)
}
