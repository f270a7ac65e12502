package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// Many checks failed alike (40 queues behind an SQS endpoint that refuses
// connections, the topics up) are counted, and a few named, on one line
// of bounded length: the table above it names each.
func TestHealth_ManyChecksFailedAlikeAreCountedNotAllNamed(t *testing.T) {
	b := ordersBinding()
	for i := range 33 {
		b.Routes = append(b.Routes, sourceflow.Route{Type: fmt.Sprintf("orders.Command%02d", i),
			Kind: sourceflow.KindCommand, Destination: fmt.Sprintf("command-%02d.fifo", i)})
	}
	fake := newFakeAWS()
	path := writeTopology(t, b, topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)

	_, errOut, code = runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = unreachableSQS{fake.sqs}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, "the topics are up")
	assert.Contains(t, errOut, "40 of 42 checks down: 40 could not be made")
	assert.Contains(t, errOut, "(queue) and 30 more: the SQS endpoint cannot be reached")
	for line := range strings.Lines(errOut) {
		assert.Less(t, len(line), 600, "a line of the error names a few checks, not 40: %s", line)
	}
}
