package topology_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
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

// Without an account or STS, a topic's ARN is built from the ARN of one of
// the plan's queues: the topic is up when it exists.
func TestResourceProbes_BuildTheARNOfATopicFromAQueue(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{})
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	for name, c := range topicChecks(t, topo, p) {
		assert.Equal(t, topology.HealthUp, c.Status, "%s: %s", name, c.Error)
	}
}

// A topic whose ARN cannot be built (no queue of the plan exists, no
// account, no STS) is skipped, saying why, not down.
func TestResourceProbes_SkipATopicWithoutAccount(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{})
	none, _ := newFakes()
	topo, err := newProvisioner(none, awsbustest.NewSNS(none, awsbustest.SNSConfig{}), topology.ProvisionerConfig{Region: none.Region()})
	require.NoError(t, err)

	for name, c := range topicChecks(t, topo, p) {
		assert.Equal(t, topology.HealthSkipped, c.Status, name)
		assert.Equal(t, `not checked: ARN of topic "`+name+`": no queue ARN to derive the account from, no AccountID and no STS client`, c.Error)
	}
}

// failingSTS answers every GetCallerIdentity with err.
type failingSTS struct{ err error }

func (f failingSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return nil, f.err
}

// A topic whose account STS fails to give is down, with the failure: the
// account is unknown because a call failed, not for want of configuration.
func TestResourceProbes_ATopicIsDownWhenSTSFails(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{})
	refused := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{Region: sq.Region(), STS: failingSTS{refused}})
	require.NoError(t, err)

	for _, probe := range topo.ResourceProbes(p, nil) {
		if probe.Kind != "topic" {
			continue
		}
		err := probe.Run(context.Background())
		require.ErrorIs(t, err, refused, probe.Name)
		assert.NotErrorIs(t, err, topology.ErrSkipped, probe.Name)
	}
	for name, c := range topicChecks(t, topo, p) {
		assert.Equal(t, topology.HealthDown, c.Status, name)
		assert.Contains(t, c.Error, "sts:GetCallerIdentity", name)
	}
}
