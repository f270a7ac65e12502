package cli_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// panickingSNS answers the first topic reads, those health makes reading
// the topology before its checks (one per topic), then panics on every
// topic read, as a client with a bug, or reading an answer it cannot
// parse, might; with a value of 10,000 bytes.
type panickingSNS struct {
	*awsbustest.SNS
	calls  *atomic.Int32
	answer int32
}

func (p panickingSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, o ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	if p.calls.Add(1) <= p.answer {
		return p.SNS.GetTopicAttributes(ctx, in, o...)
	}
	panic("malformed answer: " + strings.Repeat("x", 10000))
}

// A check whose probe panicked could not be made: health says so with the
// panic's value, bounded, and does not advise creating the topics, which
// are not known to be missing.
func TestHealth_AProbeThatPanicsIsACheckNotMade(t *testing.T) {
	fake, path := appliedOrders(t)

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SNS = panickingSNS{SNS: fake.sns, calls: new(atomic.Int32), answer: 2}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "2 of 9 checks down: 2 could not be made")
	assert.Contains(t, errOut, "\norder-events (topic), payment-events (topic): the probe panicked: malformed answer: xxx")
	assert.NotContains(t, errOut, "sourceflow apply")
	assert.NotContains(t, errOut, "found missing")
	assert.NotContains(t, errOut, strings.Repeat("x", 2000), "the panic's value is bounded")
}

// When every probe panics, health reports checks that could not be made,
// as when some answered, not calls that did not reach AWS, which would
// send the operator to the credentials.
func TestHealth_EveryProbePanickingIsNotAnUnreachableAWS(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, eventsOnly(), topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)

	_, errOut, code = runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SNS = panickingSNS{SNS: fake.sns, calls: new(atomic.Int32), answer: 1}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	assert.Contains(t, errOut, "1 of 1 check down: 1 could not be made")
	assert.Contains(t, errOut, "\norder-events (topic): the probe panicked: malformed answer: xxx")
	assert.NotContains(t, errOut, "check the credentials")
	assert.NotContains(t, errOut, "sourceflow apply")
}
