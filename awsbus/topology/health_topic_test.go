package topology_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// topicChecks runs the resource probes of p with no endpoints resolved and
// returns the checks of its topics by name.
func topicChecks(t *testing.T, topo *topology.Provisioner, p topology.Plan) map[string]topology.HealthCheck {
	t.Helper()
	out := map[string]topology.HealthCheck{}
	for _, c := range topology.RunProbes(context.Background(), 5*time.Second, topo.ResourceProbes(p, nil)) {
		if c.Kind == "topic" {
			out[c.Name] = c
		}
	}
	require.Len(t, out, len(p.Topics))
	return out
}

// A topic without a resolved ARN is checked on the ARN built from the
// account: up when it exists, down when it does not.
func TestResourceProbes_BuildTheARNOfAnUnresolvedTopic(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{})
	for _, cfg := range []topology.ProvisionerConfig{
		{Region: sq.Region(), AccountID: sq.AccountID()},
		{Region: sq.Region(), STS: awsbustest.NewSTS(sq)},
	} {
		topo, err := newProvisioner(sq, sn, cfg)
		require.NoError(t, err)
		for name, c := range topicChecks(t, topo, p) {
			assert.Equal(t, topology.HealthUp, c.Status, "%s: %s", name, c.Error)
		}
	}

	other, _ := newFakes()
	topo, err := newProvisioner(other, awsbustest.NewSNS(other, awsbustest.SNSConfig{}),
		topology.ProvisionerConfig{Region: other.Region(), AccountID: other.AccountID()})
	require.NoError(t, err)
	for name, c := range topicChecks(t, topo, p) {
		assert.Equal(t, topology.HealthDown, c.Status, "%s is missing", name)
	}
}

// A topic whose ARN cannot be built is skipped, saying why, not down.
func TestResourceProbes_SkipATopicWithoutAccount(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{})
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{Region: sq.Region()})
	require.NoError(t, err)

	for name, c := range topicChecks(t, topo, p) {
		assert.Equal(t, topology.HealthSkipped, c.Status, name)
		assert.Equal(t, `not checked: ARN of topic "`+name+`": no queue ARN to derive the account from, no AccountID and no STS client`, c.Error)
	}
}
